"""Static files: served from our own origin under fingerprinted names, cached for a year."""

from __future__ import annotations

import re

from chalice.test import Client

from chalicelib.web.assets import asset_name


def test_pages_link_the_fingerprinted_stylesheet_which_is_cached_for_a_year(
    client: Client,
) -> None:
    page = client.http.get("/login").body.decode()
    [href] = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert href == f"/prod/static/{asset_name('style.css')}"
    assert re.fullmatch(r"/prod/static/style\.[0-9a-f]{12}\.css", href)
    css = client.http.get(href.removeprefix("/prod"))
    assert css.status_code == 200
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b".navbar" in css.body


def test_a_stale_or_unknown_name_is_not_found(client: Client) -> None:
    for name in ("style.css", "style.000000000000.css", "..%2Fsettings.py", "nope.js"):
        response = client.http.get(f"/static/{name}")
        assert response.status_code == 404, name


def test_forms_show_the_password_rules_and_lengths_before_submitting(client: Client) -> None:
    page = client.http.get("/register").body.decode()
    assert 'id="password-help"' in page
    assert "At least 8 characters" in page
    assert 'minlength="8"' in page
    assert 'maxlength="256"' in page
    assert 'aria-describedby="password-help"' in page
    assert "novalidate" not in page
