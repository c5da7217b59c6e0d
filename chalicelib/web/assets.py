"""Static files the app serves itself (the CSP stays 'self'), under fingerprinted names.

A file's name carries a digest of its content (style.3f2a9c01b7de.css), so browsers may
keep it for a year: a changed file is a new name, and an old name is simply not found.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

TYPES = {"css": "text/css; charset=utf-8"}
CACHE_FOREVER = "public, max-age=31536000, immutable"


@functools.cache
def _fingerprinted() -> dict[str, tuple[str, str]]:
    """fingerprinted name -> (plain name, content), for every file in chalicelib/static."""
    found = {}
    for item in resources.files("chalicelib").joinpath("static").iterdir():
        stem, _, extension = item.name.rpartition(".")
        if extension not in TYPES:
            continue
        content = item.read_text("utf-8")  # every type served is text
        digest = hashlib.sha256(content.encode()).hexdigest()[:12]
        found[f"{stem}.{digest}.{extension}"] = (item.name, content)
    return found


def asset_name(name: str) -> str:
    """The fingerprinted name of a static file (KeyError for a file we do not serve)."""
    for fingerprinted, (plain, _content) in _fingerprinted().items():
        if plain == name:
            return fingerprinted
    raise KeyError(name)


def asset(fingerprinted: str) -> tuple[str, str] | None:
    """(content type, content) of a fingerprinted name, or None when it is not current."""
    found = _fingerprinted().get(fingerprinted)
    if found is None:
        return None
    return TYPES[fingerprinted.rpartition(".")[2]], found[1]
