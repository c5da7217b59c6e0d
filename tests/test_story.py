"""The whole story across the HTTP API, the queue, the worker and SES."""

from __future__ import annotations

from chalice.test import Client

from tests.helpers.environment import BASE_URL, NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, sent_mail, settle_mail, token_from
from tests.helpers.web import Browser, post_json


def test_forgotten_password_story(client: Client) -> None:
    # Susan registers and gets an access token.
    created = post_json(
        client,
        "/api/users",
        {"username": "susan", "email": "susan@example.com", "password": PASSWORD},
    )
    assert created.status_code == 201
    settle_mail()  # her verification email (the verification story is in test_verify_story.py)
    old_access = post_json(client, "/api/tokens", {"username": "susan", "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {old_access.json_body['access_token']}"}

    # She forgets it; an attacker's Host headers do not shape the link.
    asked = post_json(
        client,
        "/api/password-reset",
        {"email": "SUSAN@example.com"},
        Host="evil.example",
        **{"X-Forwarded-Host": "evil.example"},
    )
    assert asked.status_code == 202
    assert sent_mail() == []  # the request never waits for delivery

    # The queue worker delivers one email through SES.
    assert drain_queue() == 1  # the job: composed and sent in one invocation
    [mail] = sent_mail()
    assert mail.destinations[0] == "susan@example.com"
    assert "evil.example" not in mail.part("plain") + mail.part("html")
    token = token_from(mail, RESET)

    # She follows the link in a browser and sets a new password.
    browser = Browser(client)
    path = f"/reset_password/{token}"
    assert browser.get(path).status_code == 200
    done = browser.submit(path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.headers["Location"] == f"{BASE_URL}/login"

    # The new password works, the old one and the old access token do not.
    assert (
        post_json(
            client, "/api/tokens", {"email": "susan@example.com", "password": NEW_PASSWORD}
        ).status_code
        == 200
    )
    assert (
        post_json(client, "/api/tokens", {"username": "susan", "password": PASSWORD}).status_code
        == 401
    )
    assert client.http.get("/api/users/me", headers=bearer).status_code == 401
    logged_in = browser.submit("/login", {"username": "susan", "password": NEW_PASSWORD})
    assert "Hi, susan!" in browser.follow(logged_in).body.decode()

    # The link is spent.
    again = post_json(client, "/api/password-reset/confirm", {"token": token, "password": "x" * 12})
    assert again.status_code == 400
