"""An account's security events, newest first: what happened, when, from where.

make audit STAGE=<stage> USER=<username or address>

For a support request or an incident ("was that sign-in me?"): each event's time (UTC), kind,
client address, user agent and request id, the id to look for in the logs. The account is
found by username or address through its uniqueness guards, as a login finds it; the events
are read a page at a time until the last (AUDIT_RETENTION_DAYS keeps them). The stage's
tables come from .chalice/config.json (ops/admin/stage.py; STAGE=local is `make dev`'s).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

from chalicelib.activity_models import EventRecord
from chalicelib.auth import activity
from chalicelib.auth.guards import find_by_login, login_name
from ops.admin.stage import add_stage_argument, use_stage
from ops.cli import operator_errors
from ops.stages import cli_logging

COLUMNS = ("time (UTC)", "kind", "client", "user agent", "request id")


def events_of(user_id: str) -> Iterator[EventRecord]:
    """Every live event of the account, newest first, page after page."""
    cursor: str | None = None
    while True:
        page = activity.recent(user_id, cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def format_events(events: list[EventRecord]) -> str:
    """The events as aligned columns, a header first ("No events." when there are none)."""
    if not events:
        return "No events."
    rows = [COLUMNS] + [
        (
            datetime.fromtimestamp(e.at / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            e.kind,
            e.client or "-",
            e.user_agent or "-",
            e.request_id or "-",
        )
        for e in events
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


@operator_errors("audit")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make audit", description=__doc__.split("\n")[0])
    parser.add_argument("--user", required=True, help="the account's username or address")
    add_stage_argument(parser)
    args = parser.parse_args(argv)
    cli_logging()
    use_stage(args.stage)
    name = login_name(args.user)
    record = find_by_login(name) if name else None
    if record is None:
        print("audit: no account has that username or address", file=sys.stderr)
        return 1
    events = list(events_of(record.user_id))
    print(f"{record.username} ({record.user_id}): {len(events)} event(s), newest first")
    print(format_events(events))
    return 0


if __name__ == "__main__":
    sys.exit(main())
