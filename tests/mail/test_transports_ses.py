"""The SES transport: throttling and 5xx answers are transient, refusals permanent; international
addresses and unbuildable headers through SES and the worker."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from chalicelib.auth import accounts
from chalicelib.errors import PermanentDeliveryError, TransientDeliveryError
from chalicelib.mail import idempotency
from chalicelib.mail.composing import QueuedEmail
from chalicelib.mail.records import FAILURE_PREFIX, MailFailure
from chalicelib.mail.transports import classify_ses_error
from tests.helpers.inbox import drain_queue, run_worker, sent_mail
from tests.helpers.mailkit import email_body, sqs_event, sqs_record


def ses_error(status: int, code: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "SendRawEmail",
    )


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "Throttling"), (503, "ServiceUnavailable"), (500, "InternalFailure"), (502, "Whatever")],
)
def test_ses_throttling_and_5xx_are_transient(status: int, code: str) -> None:
    assert isinstance(classify_ses_error(ses_error(status, code)), TransientDeliveryError)


@pytest.mark.parametrize(
    "code",
    ["MessageRejected", "InvalidParameterValue", "MailFromDomainNotVerified", "AccessDenied"],
)
def test_ses_refusals_are_permanent(code: str) -> None:
    assert isinstance(classify_ses_error(ses_error(400, code)), PermanentDeliveryError)


def test_an_idn_domain_goes_out_in_punycode_through_ses() -> None:
    accounts.register("user", "user@bücher.example", "correct horse battery staple")
    drain_queue()
    [mail] = sent_mail()
    assert mail.destinations[0] == "user@xn--bcher-kva.example"
    assert mail.message["To"] == "user@xn--bcher-kva.example"


def test_a_non_ascii_local_part_fails_for_good_with_its_reason_through_ses() -> None:
    body = email_body("ses-utf8", recipients=("jürgen@example.com",))
    assert run_worker(sqs_event(sqs_record(body, "m-ses-utf8"))) == {
        "batchItemFailures": [{"itemIdentifier": "m-ses-utf8"}]
    }
    assert sent_mail() == []
    note = MailFailure.get(FAILURE_PREFIX + "m-ses-utf8")
    assert (note.kind, "non-ASCII local part" in note.error) == ("permanent", True)


def test_a_message_whose_headers_cannot_be_built_fails_for_good_with_its_reason() -> None:
    email = QueuedEmail(
        "broken-subject",
        "Hi\nBcc: x@example.com",
        "no-reply@example.com",
        ("a@example.com",),
        "t",
        "h",
    )
    body = json.loads(email.to_json())
    assert run_worker(sqs_event(sqs_record(body, "m-broken"))) == {
        "batchItemFailures": [{"itemIdentifier": "m-broken"}]
    }
    lease = idempotency.status("broken-subject")
    assert lease is not None
    assert lease.status == "failed"
    note = MailFailure.get(FAILURE_PREFIX + "m-broken")
    assert note.kind == "permanent"
    assert "cannot be built" in note.error
