"""Reset mail a stranger cannot spend: strangers count per (address, client) and per address in
all; a trusted device of the address's account has a cap of its own. Every request goes
through the Lambda handler with API Gateway events from its own client address, and every
answer is the same."""

from __future__ import annotations

import time
from typing import Any

import time_machine
from chalice.test import Client

from chalicelib.auth import accounts, password_reset
from tests.helpers.accounts import verify_address
from tests.helpers.environment import PASSWORD
from tests.helpers.inbox import drain_queue, settle_mail, with_subject
from tests.helpers.web import api_gateway_post, json_of

VICTIM = "susan@example.com"
OWNER_HOME, OWNER_CAFE = "198.51.100.7", "198.51.100.8"
STRANGERS = [f"203.0.113.{n}" for n in range(1, 9)]


def _ask(source_ip: str, device_token: str | None = None, email: str = VICTIM) -> Any:
    body = (
        {"email": email} if device_token is None else {"email": email, "device_token": device_token}
    )
    return api_gateway_post("/api/password-reset", body, source_ip)


def _links() -> int:
    """Reset emails sent so far (the queue drained through the worker first)."""
    drain_queue()
    return len(with_subject("Reset"))


def _owner_device(client_ip: str = OWNER_HOME) -> str:
    """Susan's address verified, and a login from `client_ip`: its device token."""
    settle_mail()
    answer = api_gateway_post("/api/tokens", {"username": "susan", "password": PASSWORD}, client_ip)
    assert answer["statusCode"] == 200
    return str(json_of(answer)["device_token"])


def _verified_susan() -> None:
    record = accounts.register("susan", VICTIM, PASSWORD)
    verify_address(record)
    settle_mail()


def _one_answer(answers: list[Any]) -> None:
    assert {(a["statusCode"], a["body"]) for a in answers} == {(202, answers[0]["body"])}


def test_one_stranger_client_cannot_silence_the_owner_on_any_device(client: Client) -> None:
    _verified_susan()
    jam = [_ask(STRANGERS[0]) for _ in range(10)]  # well under the client's cap of 20
    assert _links() == 3  # the stranger spent its own three for this address, no more
    owner = [_ask(OWNER_CAFE)]  # the owner on a browser that is not a trusted device
    _one_answer(jam + owner)
    assert _links() == 4


def test_no_number_of_strangers_can_silence_the_owner_on_a_trusted_device(
    client: Client,
) -> None:
    _verified_susan()
    device = _owner_device()
    jam = [_ask(ip) for ip in STRANGERS for _ in range(3)]
    assert _links() == 10  # UNTRUSTED_RESET_EMAILS_PER_HOUR from all strangers together
    untrusted_owner = [_ask(OWNER_CAFE)]
    assert _links() == 10  # the residual bound: without its device, the owner waits an hour
    trusted = [_ask(OWNER_CAFE, device) for _ in range(4)]  # the device, wherever it is
    assert _links() == 13  # its own three an hour
    _one_answer(jam + untrusted_owner + trusted)


def test_requests_from_a_trusted_device_spend_nothing_strangers_can_spend(
    client: Client,
) -> None:
    _verified_susan()
    device = _owner_device()
    for _ in range(3):
        _ask(OWNER_HOME, device)
    assert _links() == 3
    strangers = [_ask(ip) for ip in STRANGERS[:4] for _ in range(3)]
    assert _links() == 13  # the strangers' ten are all still there
    _one_answer(strangers)


def test_a_device_token_of_another_account_expired_or_forged_counts_as_a_stranger(
    client: Client,
) -> None:
    _verified_susan()
    mallory = accounts.register("mallory", "mallory@example.com", PASSWORD)
    verify_address(mallory)
    settle_mail()
    answer = api_gateway_post(
        "/api/tokens", {"username": "mallory", "password": PASSWORD}, STRANGERS[0]
    )
    theirs = json_of(answer)["device_token"]
    with time_machine.travel(time.time() - 366 * 24 * 3600, tick=False):
        old = _owner_device()  # a year and a day ago: expired today
    forged = old[:-4] + ("AAAA" if not old.endswith("AAAA") else "BBBB")
    answers = [_ask(STRANGERS[1], token) for token in (theirs, forged, old) for _ in range(2)]
    answers += [_ask(STRANGERS[1])]
    assert _links() == 3  # one client: three for this address, whatever it sent
    _one_answer(answers)


def test_a_stranger_over_its_cap_for_the_address_spends_nothing_of_the_total(
    client: Client,
) -> None:
    _verified_susan()
    for _ in range(30):
        _ask(STRANGERS[0])
    strangers = [_ask(ip) for ip in STRANGERS[1:4] for _ in range(3)]
    assert _links() == 3 + 7  # the first client's 27 refused requests counted nowhere
    _one_answer(strangers)


def test_a_trusted_device_has_its_own_hourly_cap(client: Client) -> None:
    _verified_susan()
    device = _owner_device()
    for _ in range(3):  # someone else behind the owner's network address spent its three
        password_reset.request_reset(VICTIM, OWNER_HOME)
    assert [password_reset.request_reset(VICTIM, OWNER_HOME, device) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]


def test_a_device_vouches_only_for_its_own_address(client: Client) -> None:
    _verified_susan()
    device = _owner_device()
    other = "someone@example.com"
    assert [password_reset.request_reset(other, OWNER_HOME, device) for _ in range(4)] == [
        True,
        True,
        True,
        False,  # counted as a stranger's: three per client for that address
    ]
