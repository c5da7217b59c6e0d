"""Property: every cookie and every form field, at every page route, signed in or not, may hold
anything (non-ASCII, overlong, malformed base64 and JWTs, tokens of another purpose): never a
5xx; a forged csrf_token answers 400; a forged cookie is ignored."""

from __future__ import annotations

import re
from base64 import urlsafe_b64encode
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

from chalice.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.auth import devices, tokens, users
from chalicelib.web.flash import FLASHES
from tests.helpers.accounts import signed_in_token
from tests.helpers.environment import PASSWORD
from tests.helpers.web import (
    CSRF_COOKIE,
    DEVICE_COOKIE,
    SESSION_COOKIE,
    Browser,
    csrf_from,
)

COOKIES = [SESSION_COOKIE, CSRF_COOKIE, DEVICE_COOKIE, "flash", "lang", "sent_to"]
PLAIN = ["session", "csrf", "device"]  # what a sibling host could plant
FIELDS = [
    "username",
    "email",
    "password",
    "password2",
    "current_password",
    "remember_me",
    "locale",
    "next",
    "csrf_token",
]
MAX_BODY_BYTES = 16 * 1024
SIGNED_IN_ONLY = {
    "/change_password",
    "/change_email",
    "/verify_email",
    "/cancel_email_change",
    "/security/sign_out_session",
    "/security/sign_out_others",
    "/security/sign_out_everywhere",
    "/delete_account",
}
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

surrogates = st.integers(0xD800, 0xDFFF).map(chr)
texts = st.text(st.characters(codec=None) | surrogates, max_size=30)
segments = st.binary(max_size=40).map(lambda b: urlsafe_b64encode(b).decode().rstrip("="))
junk = st.one_of(
    texts,
    st.integers(2049, 6000).flatmap(lambda n: st.sampled_from(["A" * n, "é" * n, "." * n])),
    st.lists(segments | texts, min_size=1, max_size=5).map(".".join),  # malformed JWTs
    segments.map(lambda s: s + "=" * (len(s) % 3)),  # base64 with odd padding
    st.sampled_from(["eyJhbGciOiJub25lIn0.e30.", "YQ.\\351", "%", '"', ";", "\\"]),
)


def _routes() -> list[tuple[str, str]]:
    import app as app_module

    return sorted(
        (method, path)
        for path, methods in app_module.app.routes.items()
        for method in methods
        if not path.startswith("/api/")
    )


def _quoted(jar: dict[str, str]) -> str:
    """A Cookie header that carries each value as it is (quoted where it must be)."""
    cookie: SimpleCookie = SimpleCookie()
    for name, value in jar.items():
        cookie[name] = value.encode("utf-8", "surrogatepass").decode("latin-1")
    return "; ".join(morsel.OutputString() for morsel in cookie.values())


def _wrong_tokens(user: users.User) -> list[str]:
    """Real tokens of the account, each in a cookie meant for another kind."""
    session = signed_in_token(user, tokens.Purpose.SESSION, 600)
    access = signed_in_token(user, tokens.Purpose.ACCESS, 600)
    return [session, access, devices.issue(user)]


def _signed_in(client: Client) -> Browser:
    browser = Browser(client)
    assert browser.submit("/login", {"username": "susan", "password": PASSWORD}).status_code == 303
    return browser


@FUZZ
@given(
    data=st.data(),
    cookies=st.dictionaries(st.sampled_from(COOKIES + PLAIN), junk, max_size=6),
    fields=st.dictionaries(st.sampled_from(FIELDS), junk, max_size=9),
    signed_in=st.booleans(),
    real_csrf=st.booleans(),
    raw_header=st.none() | st.text(max_size=80),
)
def test_no_page_answers_5xx_to_any_cookie_or_field(
    client: Client,
    susan: dict[str, Any],
    data: st.DataObject,
    cookies: dict[str, str],
    fields: dict[str, str],
    signed_in: bool,
    real_csrf: bool,
    raw_header: str | None,
) -> None:
    method, path = data.draw(st.sampled_from(_routes()))
    path = path.replace(
        "{token}", data.draw(segments | texts.map(lambda t: quote(t, errors="surrogatepass")))
    ).replace("{name}", "x")
    browser = _signed_in(client) if signed_in else Browser(client)
    token = csrf_from(browser.get("/login" if not signed_in else "/change_email").body.decode())
    jar = {**browser.jar, **cookies}
    if real_csrf:
        jar[CSRF_COOKIE] = browser.jar[CSRF_COOKIE]
        fields["csrf_token"] = token
    wrong = data.draw(st.sampled_from([None, *_wrong_tokens(_susan(susan))]))
    if wrong is not None:
        jar[data.draw(st.sampled_from([SESSION_COOKIE, DEVICE_COOKIE]))] = wrong
    header = raw_header.encode("utf-8", "surrogatepass").decode("latin-1") if raw_header else None
    body = "&".join(f"{quote(k)}={quote(v, errors='surrogatepass')}" for k, v in fields.items())
    response = client.http.request(
        method,
        path,
        headers={
            "Cookie": header if header is not None else _quoted(jar),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=body,
    )
    assert response.status_code < 500, (method, path, response.body[:300])


def _susan(susan: dict[str, Any]) -> users.User:
    record = users.load_record(susan["id"])
    assert record is not None
    return users.User.from_record(record)


def _post_routes() -> list[str]:
    return sorted(path for method, path in _routes() if method == "POST")


def _postable(text: str) -> bool:
    """Whether a form can carry it: UTF-8 (a lone surrogate makes the form unreadable, a 400
    of its own) and under the body limit (over it: 413)."""
    try:
        return len(quote(text)) < MAX_BODY_BYTES - 100
    except UnicodeEncodeError:
        return False


@FUZZ
@given(data=st.data(), forged=junk.filter(_postable))
def test_a_forged_csrf_token_answers_400_on_every_form(
    client: Client, susan: dict[str, Any], data: st.DataObject, forged: str
) -> None:
    path = data.draw(st.sampled_from(_post_routes())).replace("{token}", "a.b.c")
    browser = _signed_in(client) if path in SIGNED_IN_ONLY else Browser(client)
    real = csrf_from(browser.get("/login" if path not in SIGNED_IN_ONLY else "/").body.decode())
    if forged == real:
        return
    fields = {"email": "susan@example.com", "csrf_token": forged}
    response = browser.submit(path, fields, csrf=False)
    assert response.status_code == 400, (path, response.status_code)
    assert "did not come from this site" in response.body.decode()


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


@FUZZ
@given(cookies=st.dictionaries(st.sampled_from(COOKIES + PLAIN), junk, min_size=1, max_size=6))
def test_a_forged_cookie_is_ignored(
    client: Client, susan: dict[str, Any], cookies: dict[str, str]
) -> None:
    if cookies.get("flash") in FLASHES or cookies.get("lang") in ("en", "es"):
        return  # a real code or language: not forged
    plain = client.http.get("/login")
    forged = client.http.get("/login", headers={"Cookie": _quoted(cookies)})
    assert forged.status_code == plain.status_code == 200
    assert _without_csrf(forged.body.decode()) == _without_csrf(plain.body.decode())
    home = client.http.get("/", headers={"Cookie": _quoted(cookies)})
    assert home.status_code == 303  # nobody is signed in
