"""What every container pays: argon2id per password, and the cold import of app.py."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile

from benchmarks.sections import PASSWORD, timed
from benchmarks.table import Table
from chalicelib.auth import passwords


def hashing(table: Table) -> None:
    table.section("argon2id (on its own; every login, registration and reset pays one)")
    table.timings("argon2id hash", timed(lambda: passwords.hash_password(PASSWORD), 10))
    digest = passwords.hash_password(PASSWORD)
    table.timings("argon2id verify", timed(lambda: passwords.verify_password(digest, "x"), 10))


def cold_import(table: Table) -> None:
    """Fresh interpreters, both sides alike: bytecode cached for every module (the floor's
    packages come precompiled by pip; ours get a private cache warmed by one run), so the
    ratio measures import work whether or not this machine may write __pycache__. A second
    line shows our own modules compiled from source, as a chalice zip (no .pyc) has them."""
    table.section("cold import (median of 5 fresh interpreters)")

    def median_import(statement: str, env: dict[str, str]) -> float:
        code = f"import time; t=time.perf_counter(); {statement}; print(time.perf_counter()-t)"
        runs = [
            float(subprocess.check_output([sys.executable, "-c", code], text=True, env=env))
            for _ in range(5)
        ]
        return statistics.median(runs) * 1000

    bare_statement = "import chalice, boto3, pynamodb.models, jwt"
    with tempfile.TemporaryDirectory() as cache:
        cached = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
        cached.pop("PYTHONDONTWRITEBYTECODE", None)
        for statement in (bare_statement, "import app"):  # warm the cache
            subprocess.check_call([sys.executable, "-c", statement], env=cached)
        bare = median_import(bare_statement, cached)
        ours = median_import("import app", cached)
    uncompiled = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    uncompiled.pop("PYTHONPYCACHEPREFIX", None)
    source = median_import("import app", uncompiled)
    table.add(f"{bare_statement}", f"{bare:7.1f} ms", "floor (bytecode cached)")
    table.add("import app", f"{ours:7.1f} ms", f"{ours / bare:5.2f}x the floor; goal <= 1.25x")
    table.add(
        "import app, own modules from source",
        f"{source:7.1f} ms",
        f"{source / bare:5.2f}x the floor (a chalice zip ships no .pyc)",
    )
