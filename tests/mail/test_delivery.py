"""Delivery of one queued email: idempotent, suppression-aware, MIME done properly."""

from __future__ import annotations

import pytest

from chalicelib.aws import ses
from chalicelib.errors import PermanentDeliveryError, TransientDeliveryError
from chalicelib.mail import delivery, idempotency, suppression
from chalicelib.mail.delivery import Outcome
from chalicelib.mail.transports import SesTransport
from tests.helpers.inbox import sent_mail
from tests.helpers.mailkit import REJECTED, SENDER, THROTTLING, SesFaults, an_email, ses_faults


def test_sends_multipart_alternative_with_display_name_and_stable_message_id() -> None:
    assert delivery.deliver(an_email()) is Outcome.SENT
    [mail] = sent_mail()
    message = mail.message
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.get_payload()] == ["text/plain", "text/html"]  # type: ignore[union-attr]
    assert message["From"] == f"Microblog <{SENDER}>"
    assert message["Message-ID"] == "<mail-1@example.com>"
    assert mail.part("plain").strip() == "Dear susan, plain text."
    assert "<b>HTML</b>" in mail.part("html")
    record = idempotency.status("mail-1")
    assert record is not None
    assert (record.status, record.outcome) == ("done", "sent")


def test_a_redelivered_email_is_sent_once() -> None:
    email = an_email("mail-dup")
    assert delivery.deliver(email) is Outcome.SENT
    assert delivery.deliver(email) is Outcome.DUPLICATE
    assert delivery.deliver(email) is Outcome.DUPLICATE
    assert len(sent_mail()) == 1


def test_suppressed_recipients_are_dropped_and_the_rest_still_get_it() -> None:
    suppression.suppress("Bounced@Example.com", "Bounce")
    email = an_email(
        "mail-cc", recipients=("bounced@example.com", "ok@example.com"), cc=("c@example.com",)
    )
    assert delivery.deliver(email) is Outcome.SENT
    [mail] = sent_mail()
    assert "bounced" not in str(mail.message["To"]).lower()
    assert mail.message["To"] == "ok@example.com"
    assert not any("bounced" in d.lower() for d in mail.destinations)


def test_email_to_only_suppressed_addresses_is_dropped_as_done() -> None:
    suppression.suppress("susan@example.com", "Complaint")
    assert delivery.deliver(an_email("mail-supp")) is Outcome.SUPPRESSED
    assert sent_mail() == []
    record = idempotency.status("mail-supp")
    assert record is not None
    assert (record.status, record.outcome) == ("done", "suppressed")


def test_transient_failure_releases_the_record_with_the_error_then_a_retry_sends() -> None:
    with ses_faults(SesFaults(always=lambda _: THROTTLING)), pytest.raises(TransientDeliveryError):
        delivery.deliver(an_email("mail-retry"))
    record = idempotency.status("mail-retry")
    assert record is not None
    assert record.status == "failed"
    assert record.last_error == "SES Throttling: Maximum sending rate exceeded."
    assert delivery.deliver(an_email("mail-retry")) is Outcome.SENT
    assert len(sent_mail()) == 1


def test_permanent_failure_is_reported_as_permanent_with_addresses_masked() -> None:
    with ses_faults(SesFaults(always=lambda _: REJECTED)), pytest.raises(PermanentDeliveryError):
        delivery.deliver(an_email("mail-rejected"))
    record = idempotency.status("mail-rejected")
    assert record is not None
    assert (
        record.last_error == "SES MessageRejected: Email address is not verified: b***@example.com"
    )


def test_configuration_set_is_passed_to_ses() -> None:
    ses().create_configuration_set(ConfigurationSet={"Name": "microblog-tracking"})
    seen: list[str] = []
    # before-call sees the serialized request: SES's query protocol puts parameters in the body.
    faults = SesFaults(always=lambda req: seen.append(req["body"].get("ConfigurationSetName")))
    with ses_faults(faults):
        transport = SesTransport(configuration_set="microblog-tracking")
        assert delivery.deliver(an_email("mail-cs"), transport) is Outcome.SENT
    assert seen == ["microblog-tracking"]
    assert len(sent_mail()) == 1
