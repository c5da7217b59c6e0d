"""List the suppression list, or take one address off it.

python -m ops.admin.suppression --stage prod                 # list: address (masked), reason,
                                                             #   since, until (`make suppressed`)
python -m ops.admin.suppression --stage prod --remove EMAIL  # `make unsuppress EMAIL=...`

The stage's state table comes from .chalice/config.json (ops/admin/stage.py; `--stage local`
is `make dev`'s; without --stage, from the environment).
Bounces lapse after SUPPRESSION_TTL_DAYS on their own; complaints stay until removed here.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import UTC, datetime

from chalicelib.logs import mask_address
from chalicelib.mail import suppression
from chalicelib.mail.records import SUPPRESS_PREFIX, Suppression
from ops.admin.stage import add_stage_argument, use_stage
from ops.cli import operator_errors
from ops.stages import cli_logging

log = logging.getLogger("suppression")


def entries() -> list[Suppression]:
    """Every entry still in force, oldest first (a scan: fine for an operator, not a request)."""
    now = time.time()
    found = Suppression.scan(Suppression.pk.startswith(SUPPRESS_PREFIX))
    return sorted((e for e in found if suppression.in_force(e, now)), key=lambda e: e.created_at)


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_entries(entries: list[Suppression]) -> str:
    if not entries:
        return "The suppression list is empty."
    lines = [f"{len(entries)} suppressed address(es):"]
    for e in entries:
        until = _when(e.expires_at.timestamp()) if e.expires_at else "until removed"
        lines.append(
            f"- {mask_address(e.pk.removeprefix(SUPPRESS_PREFIX))}  {e.reason} ({e.detail})  "
            f"since {_when(e.created_at)}  until {until}"
        )
    return "\n".join(lines)


@operator_errors("suppression")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make suppressed", description=__doc__.split("\n")[0])
    parser.add_argument("--remove", metavar="EMAIL", help="take this address off the list")
    add_stage_argument(parser)
    args = parser.parse_args(argv)
    cli_logging()
    use_stage(args.stage)
    if args.remove is not None:
        if suppression.unsuppress(args.remove):
            log.info("%s is no longer suppressed", mask_address(args.remove))
            return 0
        log.info("%s was not on the suppression list", mask_address(args.remove))
        return 1
    log.info("%s", format_entries(entries()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
