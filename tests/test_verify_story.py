"""The email-ownership story across pages, the API, the queue, the worker and SES."""

from __future__ import annotations

from chalice.test import Client

from tests.helpers.environment import BASE_URL, PASSWORD
from tests.helpers.inbox import VERIFY, drain_queue, sent_mail, token_from, with_subject
from tests.helpers.web import Browser, post_json, sign_up


def test_register_confirm_then_move_to_a_new_address(client: Client) -> None:
    # Susan registers in a browser; she is told to check her email.
    browser = Browser(client)
    registered = sign_up(browser)
    assert "check your email" in browser.follow(registered).body.decode()
    assert sent_mail() == []  # the request never waits for delivery

    # She may log in before confirming; home says the address is unconfirmed.
    browser.submit("/login", {"username": "susan", "password": PASSWORD})
    assert "unconfirmed" in browser.get("/").body.decode()

    # The worker delivers the link; she follows it and presses Confirm.
    drain_queue()
    [link_mail] = sent_mail()
    assert link_mail.destinations[0] == "susan@example.com"
    token = token_from(link_mail, VERIFY)
    assert browser.get(f"/verify_email/{token}").status_code == 200
    confirmed = browser.submit(f"/verify_email/{token}", {})
    assert confirmed.headers["Location"] == f"{BASE_URL}/"
    assert "unconfirmed" not in browser.follow(confirmed).body.decode()

    # Over the API she asks to move to a new address; the old one is told, with no link.
    access = post_json(client, "/api/tokens", {"username": "susan", "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {access.json_body['access_token']}"}
    me = client.http.get("/api/users/me", headers=bearer).json_body
    assert (me["email"], me["email_verified"]) == ("susan@example.com", True)
    asked = post_json(
        client,
        "/api/users/me/email",
        {"email": "susan@new.example", "password": PASSWORD},
        **bearer,
    )
    assert asked.status_code == 202
    drain_queue()
    [notice] = with_subject("change of your email")
    assert notice.destinations[0] == "susan@example.com"
    assert "/verify_email/" not in notice.part("plain") + notice.part("html")
    [move] = [m for m in with_subject("Confirm") if m.destinations[0] == "susan@new.example"]

    # The account keeps the old address until the new one's link is used.
    assert client.http.get("/api/users/me", headers=bearer).json_body["email"] == (
        "susan@example.com"
    )
    done = post_json(client, "/api/email-verification/confirm", {"token": token_from(move, VERIFY)})
    assert done.status_code == 200
    assert done.json_body["user"]["email"] == "susan@new.example"

    # Every earlier session and token is void; the new address logs in.
    assert client.http.get("/api/users/me", headers=bearer).status_code == 401
    assert browser.get("/").status_code == 303
    again = post_json(client, "/api/tokens", {"email": "susan@new.example", "password": PASSWORD})
    assert again.status_code == 200
    old = post_json(client, "/api/tokens", {"email": "susan@example.com", "password": PASSWORD})
    assert old.status_code == 401
