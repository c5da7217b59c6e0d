"""A copy of the Chalice project for the deploy and package tests."""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT_FILES = ("app.py", "requirements.txt", "chalicelib", ".chalice")


def copy_project(destination: Path) -> Path:
    """The Chalice project in `destination`, sharing Chalice's artifact cache.

    Deploy and package tests write .chalice/deployed/<stage>.json and build/; a copy keeps
    them away from a developer's real deployment records. The cache under
    .chalice/deployments is keyed by content hashes, so sharing it is safe and fast.
    """
    root = Path(__file__).resolve().parents[2]
    destination.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = root / name
        if source.is_dir():
            shutil.copytree(
                source,
                destination / name,
                ignore=shutil.ignore_patterns("__pycache__", "deployed", "deployments"),
            )
        else:
            shutil.copy2(source, destination / name)
    cache = root / ".chalice" / "deployments"
    cache.mkdir(parents=True, exist_ok=True)
    (destination / ".chalice" / "deployments").symlink_to(cache, target_is_directory=True)
    return destination
