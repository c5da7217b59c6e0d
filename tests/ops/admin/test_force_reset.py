"""The breach response: every password voided, every user mailed exactly one reset link."""

from __future__ import annotations

from collections import Counter
from typing import Any

from chalice.test import Client

from chalicelib import aws
from ops.admin import force_reset
from tests.helpers.accounts import seed_users
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import RESET, drain_queue, sent_mail, token_from
from tests.helpers.mailkit import SesFaults, dlq_bodies, queue_depth, ses_faults
from tests.helpers.web import Browser, csrf_from, post_json

USERS = 200


def test_every_user_gets_exactly_one_reset_email_despite_ses_failures(client: Client) -> None:
    addresses = seed_users(USERS, PASSWORD)
    summary = force_reset.force_reset()
    assert (summary.users, summary.queued) == (USERS, USERS)
    with ses_faults(SesFaults(rate=0.3)) as faults:
        drain_queue()
    assert sum(faults.injected.values()) > 0.2 * USERS
    received = Counter(mail.destinations[0] for mail in sent_mail())
    assert received == Counter(addresses)  # each once, none twice
    assert queue_depth(aws.queue_url()) == 0
    assert dlq_bodies() == []


def test_the_old_password_no_longer_logs_in_and_the_link_sets_a_new_one(
    client: Client, susan: dict[str, Any]
) -> None:
    login = {"username": "susan", "password": PASSWORD}
    old_token = post_json(client, "/api/tokens", login).json_body["access_token"]
    force_reset.force_reset()
    assert post_json(client, "/api/tokens", login).status_code == 401
    unknown = post_json(client, "/api/tokens", {"username": "ghost", "password": PASSWORD})
    assert post_json(client, "/api/tokens", login).body == unknown.body
    me = client.http.get("/api/users/me", headers={"Authorization": f"Bearer {old_token}"})
    assert me.status_code == 401  # every token bound to the old password ended
    drain_queue()
    [mail] = sent_mail()
    body = {"token": token_from(mail, RESET), "password": NEW_PASSWORD}
    assert post_json(client, "/api/password-reset/confirm", body).status_code == 200
    login["password"] = NEW_PASSWORD
    assert post_json(client, "/api/tokens", login).status_code == 200


def test_a_reset_accounts_login_says_to_check_the_email_like_an_unknown_one(
    client: Client, susan: dict[str, Any]
) -> None:
    force_reset.force_reset()
    answers = {}
    for username in ("susan", "ghost"):
        browser = Browser(client)
        page = browser.submit("/login", {"username": username, "password": PASSWORD})
        body = page.body.decode()
        shown = body.replace(csrf_from(body), "CSRF").replace(f'value="{username}"', "NAME")
        answers[username] = (page.status_code, shown)
        api = post_json(client, "/api/tokens", {"username": username, "password": PASSWORD})
        assert "check your email for the link" in api.json_body["detail"]
    assert answers["susan"] == answers["ghost"]
    assert "check your email for the link" in answers["susan"][1]


def test_it_runs_only_with_yes_or_a_typed_yes() -> None:
    questions: list[str] = []

    def ask(answer: str) -> Any:
        return lambda question: questions.append(question) or answer

    assert force_reset.confirmed("prod", yes=True, ask=ask("n"))
    assert questions == []
    assert not force_reset.confirmed("prod", yes=False, ask=ask("n"))
    assert not force_reset.confirmed("prod", yes=False, ask=ask(""))
    assert force_reset.confirmed("prod", yes=False, ask=ask("y"))
    assert "'prod'" in questions[0]
