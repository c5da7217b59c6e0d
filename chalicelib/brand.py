"""The site's own name and where its people get help: settings, so a team adopting the app
shows its brand without editing a template or a translation.

Every page, subject and email says the name through a placeholder (`%(site)s` in the catalogs),
so a new name needs no new translation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from chalicelib.errors import ConfigError

DEFAULT_SITE_NAME = "Microblog"
MAX_NAME_LENGTH = 60  # a title, a subject's prefix and a From display name


@dataclass(frozen=True)
class Brand:
    """What the site calls itself, and an optional page or address for help."""

    name: str = DEFAULT_SITE_NAME
    support_url: str = ""  # shown in every page's footer and every email when set


def site_name(env: Mapping[str, str]) -> str:
    """SITE_NAME: printable text on one line (it goes into mail headers), at most 60 characters."""
    name = " ".join(env.get("SITE_NAME", "").split()) or DEFAULT_SITE_NAME
    if len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise ConfigError(f"SITE_NAME must be printable and at most {MAX_NAME_LENGTH} characters")
    return name


def _support_url(raw: str, development: bool) -> str:
    url = raw.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    allowed = ("https", "mailto", "http") if development else ("https", "mailto")
    if parts.scheme not in allowed or not (parts.netloc or parts.path) or not url.isprintable():
        raise ConfigError("SUPPORT_URL must be an https:// or mailto: URL")
    return url


def brand(env: Mapping[str, str], development: bool) -> Brand:
    """SITE_NAME and SUPPORT_URL, checked."""
    return Brand(
        name=site_name(env),
        support_url=_support_url(env.get("SUPPORT_URL", ""), development),
    )
