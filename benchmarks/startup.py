"""What every container pays: argon2id per password, and the cold import of app.py."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from benchmarks.sections import PASSWORD, timed
from benchmarks.table import Table
from chalicelib.auth import passwords
from ops.deploy.bytecode import function_package, runtime

ROOT = Path(__file__).resolve().parent.parent


def hashing(table: Table) -> None:
    table.section("argon2id (on its own; every login, registration and reset pays one)")
    table.timings("argon2id hash", timed(lambda: passwords.hash_password(PASSWORD), 10))
    digest = passwords.hash_password(PASSWORD)
    table.timings("argon2id verify", timed(lambda: passwords.verify_password(digest, "x"), 10))


def _import_ms(statement: str, env: dict[str, str], cwd: Path = ROOT) -> float:
    code = f"import time; t=time.perf_counter(); {statement}; print(time.perf_counter()-t)"
    output = subprocess.check_output([sys.executable, "-c", code], text=True, env=env, cwd=cwd)
    return float(output) * 1000


def _project_copy(destination: Path) -> Path:
    """app.py, chalicelib/ and what Chalice packages them with, without any __pycache__."""
    no_cache = shutil.ignore_patterns("__pycache__", "deployments", "deployed")
    destination.mkdir(parents=True)
    for name in ("app.py", "requirements.txt", "chalicelib", ".chalice"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, destination / name, ignore=no_cache)
        else:
            shutil.copy2(ROOT / name, destination / name)
    return destination


def _unpacked_package(project: Path, destination: Path) -> Path:
    """The function package `make deploy` and `make package` ship, unpacked as in /var/task."""
    package = function_package(project)
    if package is None:
        raise RuntimeError(f"no bytecode for {runtime()} from this Python: see ops/deploy")
    with zipfile.ZipFile(package) as archive:
        archive.extractall(destination)
    return destination


def cold_import(table: Table, rounds: int = 7) -> None:
    """Fresh interpreters, the libraries' bytecode cached every time (pip compiled it), ours
    four ways: nothing (the floor), a private cache warmed by one run (this VM sets
    PYTHONDONTWRITEBYTECODE), the deployment package's own bytecode with nothing written,
    as on Lambda's read-only /var/task, and compiled from source at every start, as a
    package without bytecode would be. The runs take turns, so a busy moment on a shared
    machine slows each side alike."""
    table.section(f"cold import (median of {rounds} fresh interpreters each, taking turns)")
    bare_statement = "import chalice, boto3, pynamodb.models, jwt"
    runs: dict[str, list[float]] = {"bare": [], "ours": [], "package": [], "source": []}
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as scratch:
        cached = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
        cached.pop("PYTHONDONTWRITEBYTECODE", None)
        for statement in (bare_statement, "import app"):  # warm the cache
            subprocess.check_call([sys.executable, "-c", statement], env=cached, cwd=ROOT)
        source_dir = _project_copy(Path(scratch) / "source")
        package_dir = _unpacked_package(
            _project_copy(Path(scratch) / "project"), Path(scratch) / "task"
        )
        nothing_written = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        nothing_written.pop("PYTHONPYCACHEPREFIX", None)
        from_package = {**nothing_written, "PYTHONPATH": str(package_dir)}
        from_source = {**nothing_written, "PYTHONPATH": str(source_dir)}
        for _ in range(rounds):
            runs["bare"].append(_import_ms(bare_statement, cached))
            runs["ours"].append(_import_ms("import app", cached))
            runs["package"].append(_import_ms("import app", from_package, package_dir))
            runs["source"].append(_import_ms("import app", from_source, source_dir))
    bare, ours, package, source = (
        statistics.median(runs[key]) for key in ("bare", "ours", "package", "source")
    )
    table.add(bare_statement, f"{bare:7.1f} ms", "floor (bytecode cached)")
    table.add("import app", f"{ours:7.1f} ms", f"{ours / bare:5.2f}x the floor; goal <= 1.25x")
    table.add(
        "import app from the deployment package",
        f"{package:7.1f} ms",
        f"{package / bare:5.2f}x the floor (its own bytecode); goal: as the line above",
    )
    table.add(
        "import app, own modules from source",
        f"{source:7.1f} ms",
        f"{source / bare:5.2f}x the floor (a package without bytecode)",
    )
