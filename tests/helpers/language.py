"""Finding English words left on a page that should be all Spanish."""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

SPANISH_PO = (
    Path(__file__).resolve().parents[2] / "chalicelib/translations/es/LC_MESSAGES/messages.po"
)
# What splits a msgid into the literal runs a reader would see: placeholders and tags.
_SEAMS = re.compile(r"%\(\w+\)[sd]|<[^>]+>")
_MIN_WORDS = 3


def spanish_catalog() -> Catalog:
    """The Spanish catalog as `make translations` leaves it (the .po source)."""
    with SPANISH_PO.open("rb") as po:
        return read_po(po, locale="es")


@functools.cache
def english_sentences() -> tuple[str, ...]:
    """Runs of three words or more from every catalog entry whose Spanish differs."""
    runs: set[str] = set()
    for entry in spanish_catalog():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        for msgid in ids:
            for run in _SEAMS.split(msgid):
                words = " ".join(run.split())
                if len(words.split()) >= _MIN_WORDS:
                    runs.add(words)
    return tuple(sorted(runs))


def visible_text(page: str) -> str:
    """The text a reader sees: tags dropped, entities decoded, spaces collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def english_left_in(page: str) -> list[str]:
    """The English sentences (of our catalog) still on `page`."""
    text = visible_text(page)
    return [run for run in english_sentences() if run in text]
