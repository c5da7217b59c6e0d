"""CORS_ALLOWED_ORIGINS: the web origins whose browser apps may call the JSON API.

Exact origins only (`https://app.example.com`, a port if not the default), as a browser sends
them in its Origin header; never `*`, a path or a wildcard. Empty (the default): no other
origin may, and the API answers no preflight with a permission (web/cors.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from chalicelib.errors import ConfigError

HINT = "CORS_ALLOWED_ORIGINS lists exact origins, comma-separated: https://app.example.com"


def _origin(raw: str, development: bool) -> str:
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ConfigError(f"{HINT}; {raw!r} is not one") from None
    schemes = ("https", "http") if development else ("https",)
    if (
        parts.scheme not in schemes
        or not parts.hostname
        or parts.username is not None
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise ConfigError(f"{HINT} (https outside development); {raw!r} is not one")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def allowed_origins(env: Mapping[str, str], development: bool) -> frozenset[str]:
    """The origins CORS_ALLOWED_ORIGINS lists, as browsers write them (lower-case host)."""
    items = (item.strip() for item in env.get("CORS_ALLOWED_ORIGINS", "").split(","))
    return frozenset(_origin(item, development) for item in items if item)
