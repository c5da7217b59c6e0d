"""Run every benchmark against moto in-process and print the figures.

make bench
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PUBLIC_BASE_URL": "https://accounts.example.com/api",
        "ADMINS": "no-reply@example.com",
        "RESET_EMAILS_PER_HOUR": "1000000",
        "RESET_REQUESTS_PER_IP_PER_HOUR": "1000000",
        "LOGIN_MAX_FAILURES": "1000000",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "MAIL_MAX_SEND_RATE": "100000",  # moto's quota says 1/s
    }
)

import json

from chalice.test import Client
from moto import mock_aws

import app as app_module
from chalicelib import aws
from chalicelib.auth import passwords
from chalicelib.settings import get_settings
from ops import poller
from ops.provision import provision

JSON = {"Content-Type": "application/json"}


def _timed(action: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _report(name: str, samples: list[float]) -> None:
    q = statistics.quantiles(samples, n=20)
    print(
        f"{name:<44} median {statistics.median(samples):8.2f} ms   p95 {q[18]:8.2f} ms"
        f"   n={len(samples)}"
    )


def bench_hashing() -> None:
    _report("argon2id hash", _timed(lambda: passwords.hash_password("a fine password"), 10))
    digest = passwords.hash_password("a fine password")
    _report("argon2id verify", _timed(lambda: passwords.verify_password(digest, "nope"), 10))
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent.
    code = (
        "import re; from chalicelib.auth.passwords import hash_password as h\n"
        "hwm = lambda: int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])\n"
        "b = hwm(); h('a fine password'); print(hwm() - b)"
    )
    grown = int(subprocess.check_output([sys.executable, "-c", code], text=True))
    print(f"{'argon2id peak memory growth (one hash)':<44} {grown / 1024:8.1f} MiB")


def bench_http(client: Client) -> None:
    def post(path: str, body: dict[str, str]) -> Callable[[], object]:
        return lambda: client.http.post(path, body=json.dumps(body), headers=JSON)

    post("/api/users", {"username": "susan", "email": "susan@example.com", "password": "x" * 12})()
    known = post("/api/password-reset", {"email": "susan@example.com"})
    unknown = post("/api/password-reset", {"email": "nobody@example.com"})
    known()
    samples: dict[str, list[float]] = {"known": [], "unknown": []}
    for _ in range(200):  # interleaved, so a growing queue slows both alike
        samples["known"] += _timed(known, 1)
        samples["unknown"] += _timed(unknown, 1)
    _report("POST /api/password-reset (known)", samples["known"])
    _report("POST /api/password-reset (unknown)", samples["unknown"])
    _report(
        "POST /api/tokens (known, wrong password)",
        _timed(post("/api/tokens", {"username": "susan", "password": "wrong"}), 20),
    )
    _report(
        "POST /api/tokens (unknown user)",
        _timed(post("/api/tokens", {"username": "ghost", "password": "wrong"}), 20),
    )
    _report("GET /login", _timed(lambda: client.http.get("/login"), 200))


def bench_worker() -> None:
    def handler(event: dict[str, object], context: object) -> object:
        return app_module.mail_worker(event, context)

    started = time.perf_counter()
    handled = poller.drain(aws.sqs(), aws.queue_url(), handler, max_batches=1000)
    elapsed = time.perf_counter() - started
    print(
        f"{'queue worker (jobs + emails, moto SES)':<44} {handled / elapsed:8.1f} msg/s"
        f"   n={handled}"
    )


def bench_cold_import() -> None:
    env = dict(os.environ)
    code = "import time; t=time.perf_counter(); import app; print(time.perf_counter()-t)"
    runs = [
        float(subprocess.check_output([sys.executable, "-c", code], env=env, text=True))
        for _ in range(3)
    ]
    print(f"{'cold import of app.py':<44} median {statistics.median(runs) * 1000:8.1f} ms")


def main() -> int:
    print(f"benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    bench_hashing()
    with mock_aws():
        provision(get_settings())
        with Client(app_module.app) as client:
            bench_http(client)
        bench_worker()
    bench_cold_import()
    return 0


if __name__ == "__main__":
    sys.exit(main())
