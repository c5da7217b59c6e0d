"""Run every benchmark against moto in-process and print one table of figures and ratios.

make bench

Each goal is a ratio against a floor measured in the same run (a bare SES loop, the bare
imports, the price table's own floor), so a slow or busy machine moves both sides alike.
"""

from __future__ import annotations

import os
import platform
import secrets
import sys
from datetime import UTC, datetime

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

from benchmarks import latency

latency.install()  # before any client exists, so every client carries it

from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

import app as app_module  # noqa: E402
from benchmarks import cost_section, delivery, inbox, sections, startup  # noqa: E402
from benchmarks.table import Table  # noqa: E402
from chalicelib.settings import get_settings  # noqa: E402
from ops.deploy.provision import provision  # noqa: E402


def main() -> int:
    table = Table()
    now = datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"make bench, {now}, {platform.node()} ({platform.machine()}, "
        f"{platform.processor() or 'cpu'}), {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    startup.hashing(table)
    with mock_aws():
        provision(get_settings())
        with Client(app_module.app) as client:
            sections.routes(table, client)
            delivery.worker_latency(table, client)
            cost_section.cost(table, client)
    inbox.request_to_inbox(table)
    startup.cold_import(table)
    table.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
