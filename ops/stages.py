"""A Chalice stage as ops code sees it: its environment, Settings and function names.

Everything comes from .chalice/config.json, so names live in one place only.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from chalicelib.errors import ConfigError
from chalicelib.ops_settings import OpsSettings, load_ops_settings
from chalicelib.settings import Settings, load_settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
API_HANDLER = "api_handler"  # Chalice's name for the function behind the REST API


@dataclass(frozen=True)
class Stage:
    """One stage of .chalice/config.json."""

    name: str
    app_name: str
    config: Mapping[str, Any]
    environment: Mapping[str, str]
    project_dir: Path = PROJECT_DIR

    def settings(self, base_env: Mapping[str, str] | None = None) -> Settings:
        """The Settings the stage's Lambda functions build: the stage's environment only
        (a deployed function sees nothing of a developer's shell), the region from `base_env`.
        """
        base = aws_environment(os.environ if base_env is None else base_env)
        env: dict[str, str] = {
            k: base[k] for k in ("AWS_REGION", "AWS_DEFAULT_REGION") if k in base
        }
        env.update(self.environment)
        return load_settings(env)

    def ops_settings(self) -> OpsSettings:
        """How the stage is watched and bounded (chalicelib/ops_settings.py)."""
        return load_ops_settings(self.environment)

    @property
    def api_stage(self) -> str:
        """The API Gateway stage the REST API is deployed to (its URL's path)."""
        return str(self.config["stages"][self.name].get("api_gateway_stage", "api"))

    def function_names(self) -> dict[str, str]:
        """Chalice handler name -> deployed Lambda name, for every function in lambda_functions."""
        prefix = f"{self.app_name}-{self.name}"
        handlers = {
            **self.config.get("lambda_functions", {}),
            **self.config["stages"][self.name].get("lambda_functions", {}),
        }
        return {
            handler: prefix if handler == API_HANDLER else f"{prefix}-{handler}"
            for handler in sorted(handlers)
        }


def cli_logging() -> None:
    """Plain INFO messages from our commands; boto's chatter only when it matters."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("botocore", "boto3", "urllib3", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def aws_environment(base: Mapping[str, str]) -> dict[str, str]:
    """`base` with AWS_DEFAULT_REGION filled in from the AWS profile when no region is set.

    boto3 (in ops), Chalice and Settings must agree on the region: Settings alone would
    fall back to us-east-1 where the CLI would use the profile's region.
    """
    env = dict(base)
    if not (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")):
        region = boto3.session.Session().region_name
        if not region:
            raise ConfigError("no AWS region: set AWS_DEFAULT_REGION or a region in your profile")
        env["AWS_DEFAULT_REGION"] = region
    return env


def load_config(project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """The parsed .chalice/config.json."""
    with (project_dir / ".chalice" / "config.json").open() as handle:
        config: dict[str, Any] = json.load(handle)
    return config


def load_stage(name: str, project_dir: Path = PROJECT_DIR) -> Stage:
    """The named stage, its environment merged over the top-level one as Chalice does."""
    config = load_config(project_dir)
    stages = config.get("stages", {})
    if name not in stages:
        raise ConfigError(f"no stage {name!r} in .chalice/config.json (have: {sorted(stages)})")
    environment = {
        **config.get("environment_variables", {}),
        **stages[name].get("environment_variables", {}),
    }
    if environment.get("STAGE", name) != name:  # the metrics' stage dimension
        raise ConfigError(
            f"stage {name!r} sets STAGE={environment['STAGE']!r} in .chalice/config.json: "
            f"set it to {name!r}"
        )
    return Stage(name, config["app_name"], config, environment, project_dir)
