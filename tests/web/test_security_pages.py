"""The owner's /security page: sessions on two "devices", ending them, and recent activity."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import time_machine
from chalice.test import Client

from chalicelib.auth import activity
from chalicelib.auth.activity import EventKind, Origin
from tests.helpers.environment import PASSWORD
from tests.helpers.web import SESSION_COOKIE, Browser, csrf_from, log_in, post_json


def _signed_in(client: Client) -> Browser:
    browser = Browser(client)
    assert log_in(browser).status_code == 303
    return browser


def _main(page: Any) -> str:
    return str(page.body.decode().split("<main")[1].split("</main>")[0])


def _session_ids(html: str) -> list[str]:
    return re.findall(r'name="session_id" value="([^"]+)"', html)


def _press(browser: Browser, action: str, **fields: str) -> Any:
    html = browser.get("/security").body.decode()
    return browser.submit(f"/security/{action}", {"csrf_token": csrf_from(html), **fields})


def test_a_visitor_is_sent_to_sign_in(browser: Browser) -> None:
    answer = browser.get("/security")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/login")


def test_home_links_to_the_security_page(client: Client, susan: dict[str, Any]) -> None:
    assert re.search(r'href="[^"]*/security"', _signed_in(client).get("/").body.decode())


def test_both_devices_are_listed_and_this_one_is_marked(
    client: Client, susan: dict[str, Any]
) -> None:
    laptop, phone = _signed_in(client), _signed_in(client)
    main = _main(laptop.get("/security"))
    assert main.count("This device") == 1
    assert len(_session_ids(main)) == 1  # a button for the other one only
    assert "Sign out everywhere else" in main
    assert "Signed in." in main  # recent activity: two sign-ins
    assert main.count("Signed in.") == 2
    assert phone.get("/").status_code == 200


def test_signing_out_the_other_device_ends_its_cookie_at_once(
    client: Client, susan: dict[str, Any]
) -> None:
    laptop, phone = _signed_in(client), _signed_in(client)
    [other] = _session_ids(_main(laptop.get("/security")))
    answer = _press(laptop, "sign_out_session", session_id=other)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/security")
    assert "That session is signed out." in _main(laptop.follow(answer))
    assert phone.get("/").headers["Location"].endswith("/login")  # 303 to sign in
    assert SESSION_COOKIE not in phone.jar
    assert laptop.get("/").status_code == 200
    assert "A session was signed out." in _main(laptop.get("/security"))


def test_an_unknown_session_is_a_404_page(client: Client, susan: dict[str, Any]) -> None:
    laptop = _signed_in(client)
    assert _press(laptop, "sign_out_session", session_id="x" * 22).status_code == 404


def test_signing_out_everywhere_else_keeps_this_device(
    client: Client, susan: dict[str, Any]
) -> None:
    laptop, phone = _signed_in(client), _signed_in(client)
    api = post_json(client, "/api/tokens", {"username": "susan", "password": PASSWORD}).json_body
    assert _press(laptop, "sign_out_others").status_code == 303
    assert phone.get("/").status_code == 303
    bearer = {"Authorization": f"Bearer {api['access_token']}"}
    assert client.http.get("/api/users/me", headers=bearer).status_code == 401
    main = _main(laptop.get("/security"))
    assert _session_ids(main) == []
    assert "This device" in main


def test_signing_out_everywhere_ends_this_cookie_and_every_token(
    client: Client, susan: dict[str, Any]
) -> None:
    laptop = _signed_in(client)
    api = post_json(client, "/api/tokens", {"username": "susan", "password": PASSWORD}).json_body
    answer = _press(laptop, "sign_out_everywhere")
    assert answer.headers["Location"].endswith("/login")
    assert laptop.get("/").status_code == 303
    bearer = {"Authorization": f"Bearer {api['access_token']}"}
    assert client.http.get("/api/users/me", headers=bearer).status_code == 401
    again = _signed_in(client)
    assert "Signed out everywhere." in _main(again.get("/security"))


def test_logging_out_ends_the_stored_session(client: Client, susan: dict[str, Any]) -> None:
    laptop = _signed_in(client)
    stolen = dict(laptop.jar)
    html = laptop.get("/logout").body.decode()
    laptop.submit("/logout", {"csrf_token": csrf_from(html)})
    thief = Browser(client)
    thief.jar = stolen
    assert thief.get("/").status_code == 303  # the copied cookie is worth nothing


def test_recent_activity_pages_fifty_at_a_time_newest_first(
    client: Client, susan: dict[str, Any]
) -> None:
    here = Origin(client="192.0.2.55")
    start = int(time.time()) - 3600
    for second in range(60):
        with time_machine.travel(start + second, tick=False):
            activity.record(susan["id"], EventKind.PASSWORD_CHANGED, here)
    laptop = _signed_in(client)
    first = _main(laptop.get("/security"))
    assert first.count("<time>") == 50
    assert "(from 127.0.0.1)" in first.split("<time>")[1]  # the newest: this sign-in
    assert "The password was changed. (from 192.0.2.55)" in first
    more = re.search(r'href="[^"]*(/security\?cursor=[^"]+)"', first)
    assert more is not None
    second = _main(laptop.get(more.group(1)))
    assert second.count("<time>") == 12  # 60 changes, this sign-in, the registration
    assert "Load more" not in second
    oldest = datetime.fromtimestamp(start, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    assert f"<time>{oldest}</time>: The password was changed." in second.rsplit("<li>", 1)[1]


def test_the_page_speaks_spanish(client: Client, susan: dict[str, Any]) -> None:
    browser = _signed_in(client)
    browser.submit("/language", {"locale": "es", "next": "/security"})
    main = _main(browser.get("/security"))
    assert "Este dispositivo" in main
    assert "Actividad reciente" in main
    assert "Inicio de sesión." in main


def test_a_bad_cursor_is_a_400_page(client: Client, susan: dict[str, Any]) -> None:
    assert _signed_in(client).get("/security?cursor=nonsense").status_code == 400
