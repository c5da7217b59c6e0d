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


class Text(str):
    """Words for people: the English as a plain str, plus what it takes to say them in Spanish.

    The str value is the English with its parameters filled in, so the API, logs and
    comparisons use it unchanged; `translate` looks the msgid up and fills the same
    parameters into the translation.
    """

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, params: dict[str, object]) -> Text:
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid, text.params = msgid, params
        return text


def N_(message: str, **params: object) -> str:
    """Mark `message` for translation where it is defined; it is translated where shown.

    `params` fill its %(name)s placeholders, in English now and in the reader's language
    when `translate` shows it.
    """
    return Text(message, params)


def filled(text: str, **params: object) -> str:
    """`text` (marked with N_, or a plain msgid) with more of its placeholders filled, still
    translatable: words written at import (a subject) get what is known only at run time."""
    if isinstance(text, Text):
        return Text(text.msgid, {**text.params, **params})
    return Text(text, params)


def translate(locale: str, text: str) -> str:
    """`text` in `locale`: marked Text by its msgid, any other str looked up as it is."""
    catalog = translations(locale_or_default(locale))
    if isinstance(text, Text):
        return (
            catalog.gettext(text.msgid) % text.params
            if text.params
            else catalog.gettext(text.msgid)
        )
    return catalog.gettext(text) if text else text


def supported(locale: str | None) -> str | None:
    """The supported locale `locale` names (its primary language), or None."""
    if not locale:
        return None
    primary = locale.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LOCALES else None


def locale_or_default(locale: str | None) -> str:
    """The supported locale `locale` names, else the default (English)."""
    return supported(locale) or DEFAULT_LOCALE


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
