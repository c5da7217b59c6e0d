"""Languages: English and Spanish, from gettext catalogs compiled by Babel (`make translations`).

The catalogs live in chalicelib/translations/<locale>/LC_MESSAGES/messages.{po,mo}; the .mo
files are committed, so Lambda needs only the standard library's gettext to read them.
Domain code marks its user-facing messages with `N_` (extracted, translated at the edge).
"""

from __future__ import annotations

import functools
import gettext
import re
from importlib import resources

LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
# One Accept-Language item: a language range and an optional q-value (RFC 9110 12.5.4).
_RANGE = re.compile(
    r"\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]{1,5}))?\s*"
)


def N_(message: str) -> str:
    """Mark `message` for translation where it is defined; it is translated where shown."""
    return message


def supported(locale: str | None) -> str | None:
    """The supported locale `locale` names (its primary language), or None."""
    if not locale:
        return None
    primary = locale.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LOCALES else None


def negotiate(accept_language: str) -> str:
    """The best supported locale for an Accept-Language header; English when none fits.

    A dozen lines rather than Babel at run time: Babel's locale data would add tens of
    megabytes to the Lambda layer for a header with two languages to choose from.
    """
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept_language.split(",")[:20]):
        match = _RANGE.fullmatch(item)
        if not match:
            continue
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        locale = supported(match.group(1))
        if locale and quality > 0:
            ranked.append((-quality, index, locale))
    return min(ranked)[2] if ranked else DEFAULT_LOCALE


@functools.cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of `locale` (English: the msgids themselves)."""
    directory = resources.files("chalicelib").joinpath("translations")
    return gettext.translation(
        "messages", localedir=str(directory), languages=[locale], fallback=True
    )
