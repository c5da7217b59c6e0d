"""Languages: every marked string has its Spanish, the compiled catalog is current, and the
reader's language is chosen from what they ask for."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from chalicelib import i18n
from tests.helpers.language import spanish_catalog

ROOT = Path(__file__).resolve().parent.parent


def extracted_messages() -> list[str | tuple[str, ...]]:
    """What `make translations` extracts from the code and templates today."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)
    return [message for _file, _line, message, _comments, _context in found]


def test_every_string_marked_in_code_and_templates_has_a_spanish_translation() -> None:
    catalog = spanish_catalog()
    messages = extracted_messages()
    assert len(messages) > 100  # the extraction found the templates and the N_ marks
    untranslated = []
    for message in messages:
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        strings = entry.string if entry else ""
        if (
            entry is None
            or entry.fuzzy
            or not all(strings if isinstance(strings, tuple) else [strings])
        ):
            untranslated.append(msgid)
    assert untranslated == [], "run `make translations` and translate these"


def test_the_compiled_spanish_catalog_matches_its_source() -> None:
    compiled = i18n.translations("es")
    for entry in spanish_catalog():
        if not entry.id:
            continue
        if isinstance(entry.id, tuple):
            assert compiled.ngettext(entry.id[0], entry.id[1], 1) == entry.string[0]
            assert compiled.ngettext(entry.id[0], entry.id[1], 5) == entry.string[1]
        else:
            assert compiled.gettext(entry.id) == entry.string, entry.id


def test_a_marked_string_is_english_until_shown_in_another_language() -> None:
    text = i18n.N_("Password must be at least %(count)d characters.", count=8)
    assert text == "Password must be at least 8 characters."
    assert i18n.translate("es", text) == "La contraseña debe tener al menos 8 caracteres."
    assert i18n.translate("en", text) == text
    assert i18n.translate("xx", text) == text  # an unknown language reads English


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("es", "es"),
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,es;q=0.5", "es"),
        ("es;q=0,en", "en"),
        ("de, *;q=0.1", "en"),
        ("", "en"),
        (";;;,q=es,\x00", "en"),
        ("es;q=abc", "en"),
    ],
)
def test_accept_language_picks_the_best_language_we_speak(header: str, locale: str) -> None:
    assert i18n.negotiate(header) == locale
