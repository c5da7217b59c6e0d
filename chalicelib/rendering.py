"""Jinja2 templates for pages and emails (HTML autoescaped, text not), in the reader's language."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from chalicelib.i18n import DEFAULT_LOCALE, locale_or_default, translations
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup


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
    env.filters["address"] = breakable_address
    return env


def breakable_address(address: str) -> Markup:
    """An email address a narrow page may wrap after its `@` and its dots, not mid-word
    (`{{ email | address }}`; style.css's `.address` breaks a part only if it cannot fit)."""
    from markupsafe import Markup, escape

    text = str(escape(address)).replace("@", "@<wbr>").replace(".", ".<wbr>")
    return Markup(f'<span class="address">{text}</span>')  # noqa: S704 (escaped above)


def render(template: str, locale: str = DEFAULT_LOCALE, **context: Any) -> str:
    """Render `template` (a path under chalicelib/templates) with `context`, in `locale`.

    Every template may say the site's name (`site`) and offer its help link (`support_url`,
    '' when there is none): SITE_NAME and SUPPORT_URL (chalicelib/brand.py), unless the
    context gives them (a page written at deploy time, from the stage's settings).
    """
    chosen = locale_or_default(locale)
    if "site" not in context:
        brand = get_settings().brand
        context = {"site": brand.name, "support_url": brand.support_url, **context}
    return environment(chosen).get_template(template).render(locale=chosen, **context)
