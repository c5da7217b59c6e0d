"""Fixtures of the deploy tests: `make package STAGE=prod` run once, in a project copy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ops.stages import PROJECT_DIR, Stage, load_stage
from tests.helpers.project import copy_project, packaging

STAGE = "prod"


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`make package STAGE=prod` in a project copy: the template's path and what it said."""
    project = copy_project(tmp_path_factory.mktemp("package") / "project")
    with packaging():
        done = subprocess.run(  # noqa: S603 (our own interpreter and module)
            [
                sys.executable,
                "-m",
                "ops.deploy.package",
                "--stage",
                STAGE,
                "--project-dir",
                project,
            ],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    return project / "build" / STAGE / "sam.json", done.stderr


@pytest.fixture(scope="session")
def built(packaged: tuple[Path, str]) -> Path:
    return packaged[0]


@pytest.fixture(scope="session")
def template(built: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(built.read_text())
    return document


@pytest.fixture
def stage(built: Path) -> Stage:
    return load_stage(STAGE, built.parent.parent.parent)
