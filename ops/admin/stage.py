"""Which stage an operator command works on, and the environment the app's code gets for it.

Every operator command takes `--stage` (make's `STAGE=`, default dev) and reads that stage's
settings from .chalice/config.json exactly as the deploy targets do: names and settings from
the stage, the region from AWS_DEFAULT_REGION or the AWS profile, AWS_ENDPOINT_URL honoured.
`STAGE=local` is `make dev`'s stage, with the environment `make dev` runs with
(ops/dev/devenv.py): the emulator it started, its signing key, its table and queue names;
nothing has to be exported by hand.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from chalicelib.ops_settings import get_ops_settings
from chalicelib.settings import get_settings
from ops.dev import devenv
from ops.stages import aws_environment, load_stage

LOCAL = devenv.STAGE
DEFAULT = "dev"  # as the Makefile's STAGE


def stage_environment(name: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the app's code runs with in an operator command for stage `name`."""
    base = os.environ if base is None else base
    if name == LOCAL:
        return devenv.operator_environment(base)
    environment = load_stage(name).environment  # refuses a stage the config does not have
    return {**aws_environment(base), **environment}


def use_stage(name: str | None) -> None:
    """Point this process's app code at the stage (None: the environment as it is)."""
    if name is None:
        return
    os.environ.update(stage_environment(name))
    get_settings.cache_clear()  # settings are read on first use: none should be cached yet
    get_ops_settings.cache_clear()


def add_stage_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stage",
        help=f"a stage of .chalice/config.json ({LOCAL}: make dev's); default: the environment",
    )
