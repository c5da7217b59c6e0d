"""Signed-in forms say every error in one pass, a wrong current password among them
(web/forms.py's with_proof), and check the password once when nothing else is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib.models import Counter
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.web import Browser


def _signed_in(client: Client) -> Browser:
    browser = Browser(client)
    assert browser.submit("/login", {"username": "susan", "password": PASSWORD}).status_code == 303
    return browser


def _errors(page: str) -> dict[str, str]:
    found = {}
    for part in page.split('class="invalid-feedback">')[1:]:
        field = page.split(part)[0].rsplit('id="', 1)[1].split("-error")[0]
        found[field] = part.split("</div>")[0]
    return found


def _focused(page: str) -> list[str]:
    tags = [tag.split(">")[0] for tag in page.split("<input")[1:]]
    return [tag.split(' id="')[1].split('"')[0] for tag in tags if "autofocus" in tag]


def _session_failures() -> int:
    """A signed-in session's wrong passwords (login.prove_password counts them per session)."""
    return sum(int(c.hits) for c in Counter.scan() if c.pk.startswith("throttle#password-proof#"))


@pytest.mark.parametrize(
    ("path", "fields", "others"),
    [
        (
            "/change_password",
            {"current_password": "not it", "password": NEW_PASSWORD, "password2": "typo"},
            {"password2": "Passwords must match."},
        ),
        (
            "/change_email",
            {"email": "not an address", "password": "not it"},
            {"email": "Please enter a valid email address."},
        ),
    ],
)
def test_a_wrong_current_password_is_said_with_the_other_errors(
    client: Client, susan: dict[str, Any], path: str, fields: dict[str, str], others: dict[str, str]
) -> None:
    refused = _signed_in(client).submit(path, fields)
    assert refused.status_code == 400
    page = refused.body.decode()
    proof = "current_password" if "current_password" in fields else "password"
    assert _errors(page) == {proof: "That is not your current password.", **others}
    assert _focused(page) == [proof]


def test_a_right_current_password_is_not_marked_and_counted_once(
    client: Client, susan: dict[str, Any]
) -> None:
    browser = _signed_in(client)
    fields = {"current_password": PASSWORD, "password": NEW_PASSWORD, "password2": "typo"}
    page = browser.submit("/change_password", fields).body.decode()
    assert _errors(page) == {"password2": "Passwords must match."}
    wrong = {"current_password": "not it", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    before = _session_failures()
    page = browser.submit("/change_password", wrong).body.decode()
    assert _errors(page) == {"current_password": "That is not your current password."}
    assert _session_failures() == before + 1  # one check of the password, counted once
