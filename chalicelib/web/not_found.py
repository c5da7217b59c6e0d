"""The page for an address that leads nowhere, for a browser: one static page in every
language we speak.

API Gateway answers an unknown path before the app runs, and Chalice has no catch-all route
to hand it over, so the page is written ahead of time: the deploy paths put it in the gateway
responses (ops/deploy/gateway_responses.py; API Gateway picks it over the problem+json by the
request's Accept header), and `make dev` answers with it in the same way (ops/dev/local_api.py).
"""

from __future__ import annotations

from chalicelib.i18n import LOCALES, N_, filled, translate
from chalicelib.rendering import render
from chalicelib.web.assets import asset_name

TITLE = N_("Page Not Found")
DETAIL = N_("There is nothing at this address: it may have been mistyped, or the page has moved.")
BACK = N_("Back to %(site)s")
MAIN = N_("Main")


def page(base_url: str, site: str) -> str:
    """The page, its links under `base_url` (the site's PUBLIC_BASE_URL), naming `site`."""
    sections = [
        {
            "locale": locale,
            "title": translate(locale, TITLE),
            "detail": translate(locale, DETAIL),
            "back": translate(locale, filled(BACK, site=site)),
            "main": translate(locale, MAIN),
        }
        for locale in LOCALES
    ]
    return render(
        "not_found.html",
        sections=sections,
        home=f"{base_url}/",
        stylesheet=f"{base_url}/static/{asset_name('style.css')}",
        site=site,
        support_url="",
    )
