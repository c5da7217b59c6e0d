"""Delivery of one email, queued or composed behind the queue: idempotent, suppression-aware,
MIME done properly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from chalicelib.aws import ses
from chalicelib.errors import ConfigError, PermanentDeliveryError, TransientDeliveryError
from chalicelib.mail import delivery, idempotency, suppression
from chalicelib.mail.composing import QueuedEmail, Rider
from chalicelib.mail.delivery import Outcome
from chalicelib.mail.transports import SesTransport
from chalicelib.models import AppModel, Guard, Items
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
    email = an_email("mail-two", recipients=("bounced@example.com", "ok@example.com"))
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


@dataclass(frozen=True)
class Greeting:
    """A deferred email as an account flow would describe one: its addressee is whatever a
    guard item names (read in the batch), read again beside the claim."""

    email_id: str
    recipient: str = "friend@example.com"
    broken: bool = False

    def items(self) -> list[tuple[type[AppModel], str]]:
        return [(Guard, "greet#" + self.recipient)]

    def read_beside_claim(self, found: Items) -> Callable[[], str | None] | None:
        guard = found.get(Guard, "greet#" + self.recipient)
        return None if guard is None else lambda: guard.user_id

    def rider(self, found: Items) -> Rider | None:
        return None  # nothing written with the claim (password_reset's jobs write an event)

    def addressee(self, read: str) -> str:
        return read

    def compose(self, read: str) -> QueuedEmail:
        if self.broken:
            raise ConfigError("the signing keys cannot be read")
        return an_email(self.email_id, recipients=(read,))


def _greets(address: str, recipient: str = "friend@example.com") -> None:
    Guard("greet#" + recipient, user_id=address).save()


def test_a_deferred_email_is_composed_and_sent_once() -> None:
    _greets("Friend@Example.com")
    assert delivery.deliver_deferred(Greeting("g-1")) is Outcome.SENT
    assert delivery.deliver_deferred(Greeting("g-1")) is Outcome.DUPLICATE
    [mail] = sent_mail()
    assert mail.destinations[0] == "friend@example.com"  # delivered in its canonical form


def test_a_deferred_email_for_nobody_claims_and_sends_nothing() -> None:
    assert delivery.deliver_deferred(Greeting("g-2")) is Outcome.NO_RECIPIENT
    assert idempotency.status("g-2") is None
    assert sent_mail() == []


def test_a_suppressed_recipient_is_not_claimed_and_gets_nothing() -> None:
    _greets("friend@example.com")
    suppression.suppress("Friend@example.com", suppression.COMPLAINT)
    assert delivery.deliver_deferred(Greeting("g-3")) is Outcome.SUPPRESSED
    assert idempotency.status("g-3") is None
    assert sent_mail() == []


def test_an_addressee_spelled_otherwise_is_checked_by_its_own_entry() -> None:
    _greets("elsewhere@example.com")
    suppression.suppress("elsewhere@example.com", suppression.BOUNCE)
    assert delivery.deliver_deferred(Greeting("g-4")) is Outcome.SUPPRESSED
    record = idempotency.status("g-4")
    assert record is not None
    assert (record.status, record.last_error) == ("failed", "nothing to send")
    assert sent_mail() == []


def test_a_failed_compose_gives_the_claim_back_for_the_retry() -> None:
    _greets("friend@example.com")
    with pytest.raises(ConfigError):
        delivery.deliver_deferred(Greeting("g-5", broken=True))
    record = idempotency.status("g-5")
    assert record is not None
    assert record.status == "failed"
    assert "signing keys" in str(record.last_error)
    assert delivery.deliver_deferred(Greeting("g-5")) is Outcome.SENT
    assert len(sent_mail()) == 1
