"""Structured JSON logs (Powertools Logger), and what keeps secrets and addresses out of them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from aws_lambda_powertools import Logger

logger = Logger(service="microblog-accounts", utc=True)

REDACTED = "[redacted]"
# A compact JWS anywhere (header.payload[.signature]): its header always starts with '{"'.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)+")
_ADDRESS = re.compile(r"[^\s<>\"',;:@]+@[A-Za-z0-9.-]+")


def scrub_path(text: str, token_routes: Iterable[str] = ()) -> str:
    """A request path (or an access-log line) fit for logs, with every token replaced.

    `token_routes` are the first path segments of the emailed links whose next segment is a
    token (links.TOKEN_ROUTES): that segment goes, whatever it looks like. Anything
    shaped like a JWT goes too, wherever it stands.
    """
    for route in token_routes:
        text = re.sub(rf"(/{re.escape(route)}/)[^/?#\s\"]+", rf"\g<1>{REDACTED}", text)
    return _JWT.sub(REDACTED, text)


def mask_address(address: str) -> str:
    """s***@example.com: enough for an operator to recognise, not enough to harvest."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def redact(text: str) -> str:
    """The text with every email address in it masked (provider errors quote addresses)."""
    return _ADDRESS.sub(lambda m: mask_address(m.group(0)), text)
