"""Run the Chalice CLI so the Lambda artifacts stay small, and measure them.

`automatic_layer` puts requirements.txt in a Lambda layer and leaves a code-only function
package. The layer is built with `pip download --no-deps` (PIP_NO_DEPS=1): requirements.txt
is a complete lock of what the functions need *except* what the Lambda Python runtime ships
(boto3, botocore and their dependencies), so PynamoDB's botocore, 80 % of the layer,
is left to the runtime. tests/ops/deploy/test_artifacts.py checks that the lock is complete.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

# What the Lambda Python runtime ships (and so what requirements.txt may leave out).
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
)
_LAYER_MARKER = "/site-packages/botocore/"


def chalice_executable() -> str:
    """The chalice CLI of this virtualenv."""
    beside = Path(sys.executable).with_name("chalice")
    return str(beside) if beside.exists() else shutil.which("chalice") or "chalice"


def drop_stale_layers(project_dir: Path) -> list[Path]:
    """Remove cached layer zips that still bundle botocore.

    Chalice names its cached layer after requirements.txt alone, so a layer built by a
    plain `chalice deploy` (which resolves dependencies) would otherwise be reused.
    """
    dropped = []
    for path in (project_dir / ".chalice" / "deployments").glob("managed-layer-*.zip"):
        with zipfile.ZipFile(path) as layer:
            stale = any(_LAYER_MARKER in name for name in layer.namelist())
        if stale:
            path.unlink()
            dropped.append(path)
    return dropped


def run_chalice(args: list[str], project_dir: Path, env: Mapping[str, str]) -> None:
    """Run `chalice --project-dir <dir> <args>` with the layer built from the lock alone."""
    drop_stale_layers(project_dir)
    command = [chalice_executable(), "--project-dir", str(project_dir), *args]
    subprocess.run(command, check=True, env={**env, "PIP_NO_DEPS": "1"})


def zip_sizes(path: Path) -> tuple[int, int]:
    """(size of the zip file, total uncompressed size) in bytes."""
    with zipfile.ZipFile(path) as archive:
        return path.stat().st_size, sum(info.file_size for info in archive.infolist())


def describe_sizes(paths: Mapping[str, Path]) -> list[str]:
    """One line per artifact: name, zipped and unzipped size."""
    lines = []
    for label, path in paths.items():
        zipped, unzipped = zip_sizes(path)
        lines.append(f"{label}: {zipped / 1e6:.2f} MB zipped, {unzipped / 1e6:.2f} MB unzipped")
    return lines


def cached_artifacts(project_dir: Path) -> dict[str, Path]:
    """The newest layer and function zips in Chalice's deployment cache."""
    cache = project_dir / ".chalice" / "deployments"
    found: dict[str, Path] = {}
    for label, pattern in (("layer", "managed-layer-*.zip"), ("function", "appcode-*.zip")):
        candidates = sorted(cache.glob(pattern), key=os.path.getmtime)
        if candidates:
            found[label] = candidates[-1]
    return found
