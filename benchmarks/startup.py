"""What every container pays: argon2id per password, and the cold import of app.py."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.sections import PASSWORD, timed
from benchmarks.table import Table
from chalicelib.auth import passwords

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


def cold_import(table: Table, rounds: int = 7) -> None:
    """Fresh interpreters, both sides alike: bytecode cached for every module (the floor's
    packages come precompiled by pip; ours get a private cache warmed by one run), so the
    ratio measures import work whether or not this machine may write __pycache__. A third
    line shows our own modules compiled from source, as a chalice zip (no .pyc) has them.
    The runs take turns, so a busy moment on a shared machine slows each side alike."""
    table.section(f"cold import (median of {rounds} fresh interpreters each, taking turns)")
    bare_statement = "import chalice, boto3, pynamodb.models, jwt"
    runs: dict[str, list[float]] = {"bare": [], "ours": [], "source": []}
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as bare_copy:
        cached = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
        cached.pop("PYTHONDONTWRITEBYTECODE", None)
        for statement in (bare_statement, "import app"):  # warm the cache
            subprocess.check_call([sys.executable, "-c", statement], env=cached, cwd=ROOT)
        # Our code without any __pycache__ a test run may have left, none written either.
        source_dir = Path(bare_copy)
        shutil.copy2(ROOT / "app.py", source_dir)
        no_cache = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / "chalicelib", source_dir / "chalicelib", ignore=no_cache)
        uncompiled = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": bare_copy}
        uncompiled.pop("PYTHONPYCACHEPREFIX", None)
        for _ in range(rounds):
            runs["bare"].append(_import_ms(bare_statement, cached))
            runs["ours"].append(_import_ms("import app", cached))
            runs["source"].append(_import_ms("import app", uncompiled, source_dir))
    bare, ours, source = (statistics.median(runs[key]) for key in ("bare", "ours", "source"))
    table.add(bare_statement, f"{bare:7.1f} ms", "floor (bytecode cached)")
    table.add("import app", f"{ours:7.1f} ms", f"{ours / bare:5.2f}x the floor; goal <= 1.25x")
    table.add(
        "import app, own modules from source",
        f"{source:7.1f} ms",
        f"{source / bare:5.2f}x the floor (a chalice zip ships no .pyc)",
    )
