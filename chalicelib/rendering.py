"""Jinja2 templates for pages and emails (HTML autoescaped, text not)."""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@functools.cache
def environment() -> Environment:
    """The one template environment, built on first use."""
    return Environment(
        loader=PackageLoader("chalicelib", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    """Render `template` (a path under chalicelib/templates) with `context`."""
    return environment().get_template(template).render(**context)
