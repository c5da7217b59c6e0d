"""`make package`: the CloudFormation path, one SAM template for the whole stage.

python -m ops.deploy.package --stage prod     # writes build/prod/sam.json and its zips

Runs `chalice package --merge-template` with template.py's resources, merged with any
extra fragments in ops/deploy/cfn/*.json (in name order, Chalice's deep-merge rule); the
function zip carries our modules' bytecode (bytecode.py). Deploy it with the AWS SAM CLI or
`aws cloudformation package` + `deploy` (docs/deploy.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from ops.cli import operator_errors
from ops.deploy import placeholders
from ops.deploy.artifacts import describe_sizes, run_chalice
from ops.deploy.bytecode import function_package
from ops.deploy.template import deep_merge, resources_template
from ops.stages import PROJECT_DIR, aws_environment, cli_logging, load_stage

log = logging.getLogger("package")

FRAGMENTS_DIR = PROJECT_DIR / "ops" / "deploy" / "cfn"


def merge_template(
    stage_name: str, project_dir: Path = PROJECT_DIR, fragments: Path = FRAGMENTS_DIR
) -> Path:
    """Write the stage's merge template under build/; returns its path."""
    template = resources_template(load_stage(stage_name, project_dir))
    for fragment in sorted(fragments.glob("*.json")):
        template = deep_merge(template, json.loads(fragment.read_text()))
    path = project_dir / "build" / f"{stage_name}-resources.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(template, indent=2) + "\n")
    return path


def package(stage_name: str, project_dir: Path = PROJECT_DIR) -> Path:
    """Build build/<stage>/sam.json (+ deployment zips); returns the template's path."""
    env = aws_environment(os.environ)
    merge = merge_template(stage_name, project_dir)
    outdir = project_dir / "build" / stage_name
    args = ["package", "--stage", stage_name, "--merge-template", str(merge), str(outdir)]
    function_package(project_dir)  # with its bytecode: Chalice reuses it
    log.info("chalice package --stage %s: building the template and zips", stage_name)
    run_chalice(args, project_dir, env)
    return outdir / "sam.json"


@operator_errors("package")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Package a stage as one SAM template.")
    parser.add_argument("--stage", required=True, help="a stage of .chalice/config.json")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    args = parser.parse_args(argv)
    cli_logging()
    template = package(args.stage, args.project_dir)
    log.info("wrote %s", template)
    zips = {path.name: path for path in sorted(template.parent.glob("*.zip"))}
    for line in describe_sizes(zips):
        log.info("%s", line)
    stage = load_stage(args.stage, args.project_dir)
    for warning in placeholders.warnings(args.stage, stage.settings()):
        log.warning("%s", warning)
    return 0


if __name__ == "__main__":
    sys.exit(main())
