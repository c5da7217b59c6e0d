"""Bounces and complaints (SES -> SNS -> the Chalice SNS handler) suppress addresses."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import time_machine
from chalice.test import Client
from moto.ses.feedback import BOUNCE, COMMON_MAIL, COMPLAINT

from chalicelib.auth import accounts
from chalicelib.mail import suppression
from ops.admin.suppression import entries
from tests.helpers.inbox import drain_queue, sent_mail, settle_mail
from tests.helpers.web import api_gateway_post

# The notification examples of the SES developer guide (as moto ships them).


def notification(kind: str, body: dict[str, Any], key: str = "notificationType") -> str:
    message = copy.deepcopy(COMMON_MAIL)
    message.pop("notificationType")
    message[key] = kind
    message[kind.lower()] = copy.deepcopy(body)
    return json.dumps(message)


def deliver_sns(client: Client, message: str) -> None:
    client.lambda_.invoke("mail_events", client.events.generate_sns_event(message=message))


def test_permanent_bounce_suppresses_the_failed_recipients(client: Client) -> None:
    deliver_sns(client, notification("Bounce", BOUNCE))
    assert suppression.is_suppressed("recipient1@example.com")
    assert suppression.is_suppressed("RECIPIENT1@example.com")  # compared lowercased
    # The example's second recipient is only "delayed": not (yet) a hard bounce.
    assert not suppression.is_suppressed("recipient2@example.com")


def test_transient_bounce_suppresses_nobody(client: Client) -> None:
    soft = {**BOUNCE, "bounceType": "Transient", "bounceSubType": "MailboxFull"}
    deliver_sns(client, notification("Bounce", soft))
    assert not suppression.is_suppressed("recipient1@example.com")


def test_complaint_suppresses_the_complainer(client: Client) -> None:
    deliver_sns(client, notification("Complaint", COMPLAINT))
    assert suppression.is_suppressed("recipient1@example.com")


def test_configuration_set_events_are_understood_too() -> None:
    assert suppression.handle_notification(notification("Bounce", BOUNCE, key="eventType")) == 1


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        "[]",
        json.dumps({"notificationType": "Delivery"}),
        json.dumps({"notificationType": "Bounce"}),
    ],
)
def test_anything_else_is_ignored_without_failing(message: str) -> None:
    assert suppression.handle_notification(message) == 0


def test_a_suppressed_account_gets_no_reset_email_and_the_answer_does_not_tell(
    client: Client,
) -> None:
    accounts.register("susan", "susan@example.com", "correct horse battery staple")
    accounts.register("bob", "bob@example.com", "correct horse battery staple")
    settle_mail()  # the verification emails
    deliver_sns(
        client,
        notification(
            "Complaint",
            {**COMPLAINT, "complainedRecipients": [{"emailAddress": "susan@example.com"}]},
        ),
    )
    answers = [
        client.http.post(
            "/api/password-reset",
            body=json.dumps({"email": address}),
            headers={"Content-Type": "application/json"},
        )
        for address in ("susan@example.com", "bob@example.com")
    ]
    assert {(a.status_code, a.body) for a in answers} == {(answers[1].status_code, answers[1].body)}
    assert answers[1].status_code == 202
    drain_queue()
    assert [m.destinations[0] for m in sent_mail()] == ["bob@example.com"]


def test_a_bounce_lapses_after_the_configured_days_and_a_complaint_never_does() -> None:
    start = 1_900_000_000
    with time_machine.travel(start, tick=False):
        suppression.suppress("bounced@example.com", suppression.BOUNCE, "Permanent/General")
        suppression.suppress("complained@example.com", suppression.COMPLAINT, "abuse")
    both = {"bounced@example.com", "complained@example.com"}
    with time_machine.travel(start + 29 * 86400, tick=False):
        assert suppression.suppressed_among(both) == both
    with time_machine.travel(start + 30 * 86400 + 1, tick=False):
        assert suppression.suppressed_among(both) == {"complained@example.com"}
    with time_machine.travel(start + 3650 * 86400, tick=False):
        assert suppression.is_suppressed("complained@example.com")


def test_a_later_bounce_does_not_turn_a_complaint_into_a_lapsing_entry() -> None:
    start = 1_900_000_000
    with time_machine.travel(start, tick=False):
        suppression.suppress("susan@example.com", suppression.COMPLAINT, "abuse")
        suppression.suppress("susan@example.com", suppression.BOUNCE, "Permanent/General")
    with time_machine.travel(start + 31 * 86400, tick=False):
        assert suppression.is_suppressed("susan@example.com")
        [entry] = entries()
        assert (entry.reason, entry.expires_at) == (suppression.COMPLAINT, None)


def test_unsuppress_removes_one_entry_and_mail_flows_again(client: Client) -> None:
    suppression.suppress("susan@example.com", suppression.COMPLAINT, "abuse")
    suppression.suppress("bob@example.com", suppression.BOUNCE, "Permanent/General")
    assert suppression.unsuppress("SUSAN@example.com") is True
    assert suppression.unsuppress("susan@example.com") is False
    assert [e.pk for e in entries()] == ["suppress#bob@example.com"]
    accounts.register("susan", "susan@example.com", "correct horse battery staple")
    drain_queue()
    assert [m.destinations[0] for m in sent_mail()] == ["susan@example.com"]


def test_an_entry_stops_every_spelling_of_its_address() -> None:
    """SES reports an international domain in punycode; people type it in Unicode."""
    suppression.suppress("user@xn--bcher-kva.example", suppression.COMPLAINT, "abuse")
    for spelling in ("user@bücher.example", "User@BÜCHER.example", "USER@XN--BCHER-KVA.example"):
        assert suppression.is_suppressed(spelling)
    assert not suppression.is_suppressed("user@bucher.example")
    suppression.suppress("x@glass.de", suppression.COMPLAINT, "abuse")
    assert not suppression.is_suppressed("x@glaß.de")  # another domain, another entry
    assert suppression.unsuppress("user@Bücher.example") is True


def test_a_complainer_at_an_international_domain_gets_no_reset_mail(client: Client) -> None:
    """SES reports the punycode spelling; the owner (or anyone) asks in Unicode."""
    accounts.register("reader", "Reader@Bücher.example", "correct horse battery staple")
    settle_mail()
    complaint = {
        **COMPLAINT,
        "complainedRecipients": [{"emailAddress": "reader@xn--bcher-kva.example"}],
    }
    deliver_sns(client, notification("Complaint", complaint))
    for spelling in (
        "reader@bücher.example",
        "Reader@BÜCHER.example",
        "reader@xn--bcher-kva.example",
    ):
        answer = api_gateway_post("/api/password-reset", {"email": spelling}, "198.51.100.7")
        assert answer["statusCode"] == 202
    drain_queue()
    assert sent_mail() == []
