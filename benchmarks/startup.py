"""What every container pays: argon2id per password, and the cold import of app.py."""

from __future__ import annotations

import statistics
import subprocess
import sys

from benchmarks.sections import PASSWORD, timed
from benchmarks.table import Table
from chalicelib.auth import passwords


def hashing(table: Table) -> None:
    table.section("argon2id (on its own; every login, registration and reset pays one)")
    table.timings("argon2id hash", timed(lambda: passwords.hash_password(PASSWORD), 10))
    digest = passwords.hash_password(PASSWORD)
    table.timings("argon2id verify", timed(lambda: passwords.verify_password(digest, "x"), 10))


def cold_import(table: Table) -> None:
    table.section("cold import (median of 5 fresh interpreters)")

    def median_import(statement: str) -> float:
        code = f"import time; t=time.perf_counter(); {statement}; print(time.perf_counter()-t)"
        runs = [
            float(subprocess.check_output([sys.executable, "-c", code], text=True))
            for _ in range(5)
        ]
        return statistics.median(runs) * 1000

    bare = median_import("import chalice, boto3, pynamodb.models, jwt")
    ours = median_import("import app")
    table.add("import chalice, boto3, pynamodb.models, jwt", f"{bare:7.1f} ms", "floor")
    table.add("import app", f"{ours:7.1f} ms", f"{ours / bare:5.2f}x the floor; goal <= 1.25x")
