"""The version: one number, in pyproject.toml, in the shipped code and in the changelog."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from chalicelib.version import VERSION

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_version_is_pyprojects() -> None:
    with (ROOT / "pyproject.toml").open("rb") as pyproject:
        assert tomllib.load(pyproject)["project"]["version"] == VERSION


def test_the_changelog_has_a_section_for_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## \[{re.escape(VERSION)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)


def test_the_licence_is_mit() -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert "Microblog accounts contributors" in licence
