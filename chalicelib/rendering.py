"""Jinja2 templates for pages and emails (HTML autoescaped, text not), in the reader's language."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from chalicelib.i18n import DEFAULT_LOCALE, locale_or_default, translations

if TYPE_CHECKING:
    from jinja2 import Environment


@functools.cache
def environment(locale: str = DEFAULT_LOCALE) -> Environment:
    """One template environment per language, built on first use.

    Each has its catalog installed (Jinja's i18n extension, new-style gettext), so renders in
    different languages never share translation state, even on concurrent threads. Jinja2 is
    imported here, not at module import: a cold start that renders nothing never pays for it.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        extensions=["jinja2.ext.i18n"],
        loader=PackageLoader("chalicelib", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(template: str, locale: str = DEFAULT_LOCALE, **context: Any) -> str:
    """Render `template` (a path under chalicelib/templates) with `context`, in `locale`."""
    chosen = locale_or_default(locale)
    return environment(chosen).get_template(template).render(locale=chosen, **context)
