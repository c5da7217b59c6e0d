"""A copy of the Chalice project for the deploy and package tests, and the lock on the artifact
cache the copies share."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_FILES = ("app.py", "requirements.txt", "chalicelib", ".chalice")
ROOT = Path(__file__).resolve().parents[2]


def copy_project(destination: Path) -> Path:
    """The Chalice project in `destination`, sharing Chalice's artifact cache.

    Deploy and package tests write .chalice/deployed/<stage>.json and build/; a copy keeps
    them away from a developer's real deployment records. The cache under
    .chalice/deployments is keyed by content hashes, so sharing it is fast, and safe one
    packaging at a time (`packaging`).
    """
    destination.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source,
                destination / name,
                ignore=shutil.ignore_patterns("__pycache__", "deployed", "deployments"),
            )
        else:
            shutil.copy2(source, destination / name)
    cache = ROOT / ".chalice" / "deployments"
    cache.mkdir(parents=True, exist_ok=True)
    (destination / ".chalice" / "deployments").symlink_to(cache, target_is_directory=True)
    return destination


@contextmanager
def packaging() -> Iterator[None]:
    """One packaging at a time across processes (pytest -n workers) for this checkout's cache.

    Chalice writes a cached package in place under .chalice/deployments; another process
    finding the half-written file there would ship it. The lock file lives outside the project.
    """
    name = hashlib.sha256(str(ROOT).encode()).hexdigest()[:16]
    with (Path(tempfile.gettempdir()) / f"chalice-deployments-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
