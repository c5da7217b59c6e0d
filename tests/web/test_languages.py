"""Pages in the reader's language: the account's choice, else the switcher's, else the
browser's Accept-Language; and not one English sentence left on a Spanish page."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.auth import guards, tokens, users
from chalicelib.models import USER_PREFIX, UserRecord
from tests.helpers.environment import BASE_URL, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, sent_mail, settle_mail, subject_of, token_from
from tests.helpers.language import english_left_in
from tests.helpers.web import Browser, log_in, post_json

SPANISH = "es-ES,es;q=0.9,en;q=0.5"


def _register(browser: Browser, username: str = "susan") -> Any:
    fields = {"username": username, "email": f"{username}@example.com"}
    passwords = {"password": PASSWORD, "password2": PASSWORD}
    return browser.submit("/register", {**fields, **passwords})


def _visible(response: Any) -> str:
    return response.body.decode()


def test_a_browser_asking_for_spanish_gets_spanish_pages(client: Client) -> None:
    response = Browser(client, accept_language=SPANISH).get("/login")
    body = response.body.decode()
    assert response.headers["Content-Language"] == "es"
    assert '<html lang="es">' in body
    assert "<title>Iniciar sesión - Microblog</title>" in body
    assert "¿Olvidaste tu contraseña?" in body


def test_a_browser_asking_for_a_language_we_lack_gets_english(client: Client) -> None:
    response = Browser(client, accept_language="fr-FR,fr;q=0.9").get("/login")
    assert response.headers["Content-Language"] == "en"
    assert "Forgot Your Password?" in response.body.decode()


def test_every_page_and_state_in_spanish_has_no_english_sentence_left(client: Client) -> None:
    account = {"username": "susan", "email": "susan@example.com", "password": PASSWORD}
    assert (
        post_json(client, "/api/users", account, **{"Accept-Language": SPANISH}).status_code == 201
    )
    settle_mail()
    browser = Browser(client, accept_language=SPANISH)
    pages = {
        "login": browser.get("/login"),
        "login failed": browser.submit("/login", {"username": "susan", "password": "wrong!"}),
        "register": browser.get("/register"),
        "register errors": browser.submit(
            "/register", {"username": "x!", "email": "no", "password": "a", "password2": "b"}
        ),
        "reset request": browser.get("/reset_password_request"),
        "reset request error": browser.submit("/reset_password_request", {"email": "nope"}),
        "reset sent": browser.follow(
            browser.submit("/reset_password_request", {"email": "susan@example.com"})
        ),
        "dead reset link": browser.follow(browser.get("/reset_password/not-a-token")),
        "dead confirmation link": browser.get("/verify_email/not-a-token"),
        "dead secure link": browser.get("/secure_account/not-a-token"),
        "wrong method": browser.client.http.request(
            "DELETE", "/login", headers={"Accept-Language": SPANISH}, body=b""
        ),
        "forged form": browser.submit("/login", {"csrf_token": "forged"}),
    }
    drain_queue()
    token = token_from(sent_mail()[-1], RESET)
    pages["reset form"] = browser.get(f"/reset_password/{token}")
    pages["reset form errors"] = browser.submit(
        f"/reset_password/{token}", {"password": "a", "password2": "b"}
    )
    pages["home"] = browser.follow(log_in(browser))
    pages["change password errors"] = browser.submit(
        "/change_password", {"current_password": "wrong", "password": "a", "password2": "b"}
    )
    pages["change email"] = browser.get("/change_email")
    pages["change email errors"] = browser.submit(
        "/change_email", {"email": "not an address", "password": PASSWORD}
    )
    pages["delete account"] = browser.get("/delete_account")
    pages["delete account errors"] = browser.submit(
        "/delete_account", {"password": "wrong", "confirm": "no"}
    )
    pages["resent"] = browser.follow(browser.submit("/verify_email", {}))
    pages["log out form"] = browser.get("/logout")
    pages["logged out"] = browser.follow(browser.submit("/logout", {}))
    pages["log out, signed out"] = browser.get("/logout")
    pages["expired form"] = browser.submit("/register", {"username": "x", "csrf_token": "old"})
    for name, response in pages.items():
        assert response.headers["Content-Language"] == "es", name
        assert english_left_in(_visible(response)) == [], name


def test_the_switcher_sets_this_browsers_language_and_comes_back(client: Client) -> None:
    browser = Browser(client, accept_language="en")
    switched = browser.submit("/language", {"locale": "es", "next": "/reset_password_request"})
    assert switched.status_code == 303
    assert switched.headers["Location"] == f"{BASE_URL}/reset_password_request"
    assert browser.jar["lang"] == "es"
    assert "Pedir un enlace para restablecerla" in browser.follow(switched).body.decode()
    back = browser.submit("/language", {"locale": "en", "next": "/login"})
    assert "Forgot Your Password?" in browser.follow(back).body.decode()


@pytest.mark.parametrize("place", ["//evil.example/x", "https://evil.example/", "login", ""])
def test_the_switcher_sends_nobody_off_the_site(client: Client, place: str) -> None:
    switched = Browser(client).submit("/language", {"locale": "es", "next": place})
    assert switched.headers["Location"] == f"{BASE_URL}/"


def test_the_switcher_refuses_a_language_we_do_not_speak(client: Client) -> None:
    browser = Browser(client)
    refused = browser.submit("/language", {"locale": "xx", "next": "/login"})
    assert refused.status_code == 400
    assert "Choose one of the languages offered." in refused.body.decode()
    assert "lang" not in browser.jar


def test_the_switcher_needs_the_forms_csrf_token(client: Client) -> None:
    browser = Browser(client)
    refused = browser.submit("/language", {"locale": "es"}, csrf=False)
    assert refused.status_code == 400
    assert "lang" not in browser.jar


def test_a_page_reached_by_an_emailed_link_keeps_its_token_out_of_the_switcher(
    client: Client, susan: dict[str, Any]
) -> None:
    user = users.User.from_record(users.load_record(susan["id"]))  # type: ignore[arg-type]
    token = users.issue_token(user, tokens.Purpose.RESET_PASSWORD, 600)
    browser = Browser(client)
    body = browser.get(f"/reset_password/{token}").body.decode()
    assert 'name="locale" value="es"' in body
    assert token not in body
    switched = browser.submit("/language", {"locale": "es"})
    assert switched.headers["Location"] == f"{BASE_URL}/"


def test_registering_stores_the_pages_language_for_the_account(client: Client) -> None:
    browser = Browser(client, accept_language=SPANISH)
    _register(browser)
    record = UserRecord.get(USER_PREFIX + _user_id("susan"))
    assert record.locale == "es"


def test_an_accounts_stored_language_wins_over_the_browsers(client: Client) -> None:
    _register(Browser(client, accept_language=SPANISH))
    settle_mail()
    english_browser = Browser(client, accept_language="en-US,en")
    home = english_browser.follow(log_in(english_browser))
    assert home.headers["Content-Language"] == "es"
    assert "¡Hola, susan!" in home.body.decode()


def test_switching_while_logged_in_stores_the_choice_for_emails(
    client: Client, susan: dict[str, Any]
) -> None:
    browser = Browser(client)
    browser.follow(log_in(browser))
    switched = browser.submit("/language", {"locale": "es", "next": "/"})
    assert "¡Hola, susan!" in browser.follow(switched).body.decode()
    assert UserRecord.get(USER_PREFIX + susan["id"]).locale == "es"
    post_json(client, "/api/password-reset", {"email": "susan@example.com"})
    drain_queue()
    (mail,) = sent_mail()
    assert subject_of(mail) == "[Microblog] Restablece tu contraseña"
    assert "Restablecer tu contraseña" in mail.part("html")


def _user_id(username: str) -> str:
    record = guards.find_by_login(username)
    assert record is not None
    return record.user_id


def test_flash_messages_follow_the_language(client: Client) -> None:
    browser = Browser(client, accept_language=SPANISH)
    page = browser.follow(_register(browser)).body.decode()
    assert "¡Enhorabuena, ya estás registrado!" in html.unescape(page)
    assert re.search(r"Congratulations", page) is None


def test_the_api_stores_the_language_a_registration_asks_for(client: Client) -> None:
    account = {"username": "susan", "email": "susan@example.com", "password": PASSWORD}
    created = post_json(client, "/api/users", account, **{"Accept-Language": SPANISH})
    assert created.json_body["locale"] == "es"
    drain_queue()
    (mail,) = sent_mail()
    assert subject_of(mail) == "[Microblog] Confirma tu dirección de correo"


def test_the_api_registers_in_english_when_no_language_is_asked_for(
    susan: dict[str, Any],
) -> None:
    assert susan["locale"] == "en"


def _bearer(client: Client) -> dict[str, str]:
    login = post_json(client, "/api/tokens", {"username": "susan", "password": PASSWORD})
    return {"Authorization": "Bearer " + login.json_body["access_token"]}


def test_the_api_changes_an_accounts_language(client: Client, susan: dict[str, Any]) -> None:
    changed = post_json(client, "/api/users/me/locale", {"locale": "es"}, **_bearer(client))
    assert changed.status_code == 200
    assert changed.json_body == {**susan, "locale": "es"}
    assert UserRecord.get(USER_PREFIX + susan["id"]).locale == "es"


def test_the_api_refuses_a_language_we_do_not_speak(client: Client, susan: dict[str, Any]) -> None:
    refused = post_json(client, "/api/users/me/locale", {"locale": "klingon"}, **_bearer(client))
    assert refused.status_code == 400
    assert refused.json_body["field"] == "locale"
    assert UserRecord.get(USER_PREFIX + susan["id"]).locale == "en"
    anonymous = post_json(client, "/api/users/me/locale", {"locale": "es"})
    assert anonymous.status_code == 401
