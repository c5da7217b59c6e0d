"""The SMTP transport against a real aiosmtpd server (plain, STARTTLS, implicit TLS, AUTH):
4xx replies are transient, 5xx permanent, and the worker's rules hold over SMTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalicelib import worker
from chalicelib.errors import PermanentDeliveryError, TransientDeliveryError
from chalicelib.mail import delivery, idempotency
from chalicelib.mail.delivery import Outcome
from chalicelib.mail.records import FAILURE_PREFIX, MailFailure
from chalicelib.mail.transports import SmtpTransport, classify_smtp_code
from ops.dev.procs import free_port
from tests.helpers.inbox import run_worker
from tests.helpers.mailkit import an_email, email_body, sqs_event, sqs_record
from tests.helpers.smtp import Inbox, client_context, mail_settings, server_context


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (421, TransientDeliveryError),
        (451, TransientDeliveryError),
        (550, PermanentDeliveryError),
        (554, PermanentDeliveryError),
    ],
)
def test_smtp_codes(code: int, kind: type[Exception]) -> None:
    assert isinstance(classify_smtp_code(code, "x"), kind)


def test_plain_smtp_delivers_multipart_mime(smtp: Any) -> None:
    inbox = Inbox()
    port = smtp(inbox)
    assert delivery.deliver(an_email("smtp-1"), SmtpTransport(mail_settings(port))) is Outcome.SENT
    [envelope] = inbox.messages
    assert envelope.mail_from == "no-reply@example.com"
    assert envelope.rcpt_tos == ["susan@example.com"]
    raw = envelope.original_content or b""
    assert b"multipart/alternative" in raw
    assert b"From: Microblog <no-reply@example.com>" in raw
    assert b"Message-ID: <smtp-1@example.com>" in raw


def test_starttls_and_auth_with_flask_mail_settings(
    smtp: Any, certificate: tuple[Path, Path]
) -> None:
    inbox = Inbox()
    port = smtp(
        inbox,
        tls_context=server_context(certificate),
        require_starttls=True,
        authenticator=inbox.authenticate,
        auth_required=True,
    )
    settings = mail_settings(port, use_tls=True, username="mailer", password="app-password")
    transport = SmtpTransport(settings, ssl_context=client_context(certificate))
    assert delivery.deliver(an_email("tls-1"), transport) is Outcome.SENT
    assert inbox.logins == [(b"mailer", b"app-password")]
    assert len(inbox.messages) == 1


def test_implicit_tls(smtp: Any, certificate: tuple[Path, Path]) -> None:
    inbox = Inbox()
    port = smtp(inbox, ssl_context=server_context(certificate))
    transport = SmtpTransport(
        mail_settings(port, use_ssl=True), ssl_context=client_context(certificate)
    )
    assert delivery.deliver(an_email("ssl-1"), transport) is Outcome.SENT
    assert len(inbox.messages) == 1


def test_bad_credentials_are_permanent(smtp: Any) -> None:
    inbox = Inbox()
    port = smtp(inbox, authenticator=inbox.authenticate, auth_require_tls=False)
    settings = mail_settings(port, username="mailer", password="wrong")
    with pytest.raises(PermanentDeliveryError, match="SMTP 535"):
        SmtpTransport(settings).send(
            "no-reply@example.com", ["a@example.com"], an_email("smtp-1").to_mime()
        )
    assert inbox.messages == []


def test_4xx_is_transient_and_5xx_permanent(smtp: Any) -> None:
    inbox = Inbox(
        replies={
            "busy@example.com": "451 4.3.0 Try again later",
            "gone@example.com": "550 5.1.1 No such user",
        }
    )
    transport = SmtpTransport(mail_settings(smtp(inbox)))
    mime = an_email("smtp-1").to_mime()
    with pytest.raises(TransientDeliveryError):
        transport.send("no-reply@example.com", ["busy@example.com"], mime)
    with pytest.raises(PermanentDeliveryError):
        transport.send("no-reply@example.com", ["gone@example.com"], mime)
    # One accepted recipient is a delivery: retrying would mail them twice.
    transport.send("no-reply@example.com", ["gone@example.com", "ok@example.com"], mime)
    assert [m.rcpt_tos for m in inbox.messages] == [["ok@example.com"]]


def test_no_server_listening_is_transient() -> None:
    transport = SmtpTransport(mail_settings(free_port()))
    with pytest.raises(TransientDeliveryError, match="unreachable"):
        transport.send("no-reply@example.com", ["a@example.com"], an_email("smtp-1").to_mime())


def test_the_worker_applies_the_same_idempotency_and_retry_rules_over_smtp(smtp: Any) -> None:
    inbox = Inbox(replies={"busy@example.com": "451 4.3.0 Try again later"})
    transport = SmtpTransport(mail_settings(smtp(inbox)))
    good = email_body("smtp-w1")
    busy = email_body("smtp-w2", recipients=("busy@example.com",))
    event = sqs_event(sqs_record(good, "m-1"), sqs_record(good, "m-2"), sqs_record(busy, "m-3"))
    failed = {
        f["itemIdentifier"]
        for f in worker.handle_batch(event, transport=transport)["batchItemFailures"]
    }
    # m-1 and m-2 carry the same email, delivered at once: one sends it; the other finds it
    # sent (a duplicate, dropped) or still held (retried later, then found sent).
    assert "m-3" in failed
    assert len(failed & {"m-1", "m-2"}) <= 1
    assert len(inbox.messages) == 1
    for twin in failed - {"m-3"}:
        assert worker.handle_batch(sqs_event(sqs_record(good, twin, 2)), transport=transport) == {
            "batchItemFailures": []
        }
    assert len(inbox.messages) == 1
    record = idempotency.status("smtp-w2")
    assert record is not None
    assert (record.status, record.last_error) == ("failed", "SMTP 451 4.3.0 Try again later")
    inbox.replies.clear()  # the server recovers; the queue retries the failed record
    assert worker.handle_batch(sqs_event(sqs_record(busy, "m-3", 2)), transport=transport) == {
        "batchItemFailures": []
    }
    assert len(inbox.messages) == 2
    assert run_worker(sqs_event(sqs_record(busy, "m-3", 3))) == {
        "batchItemFailures": []
    }  # done: no resend
    assert len(inbox.messages) == 2


def test_an_idn_domain_goes_out_in_punycode_over_smtp(smtp: Any) -> None:
    inbox = Inbox()
    transport = SmtpTransport(mail_settings(smtp(inbox)))
    email = an_email("smtp-idn", recipients=("user@bücher.example",))
    assert delivery.deliver(email, transport) is Outcome.SENT
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["user@xn--bcher-kva.example"]
    assert b"To: user@xn--bcher-kva.example" in (envelope.original_content or b"")


def test_a_non_ascii_local_part_fails_for_good_with_its_reason_over_smtp(smtp: Any) -> None:
    inbox = Inbox()
    transport = SmtpTransport(mail_settings(smtp(inbox)))
    body = email_body("smtp-utf8", recipients=("jürgen@example.com",))
    answer = worker.handle_batch(sqs_event(sqs_record(body, "m-utf8")), transport=transport)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-utf8"}]}
    assert inbox.messages == []
    lease = idempotency.status("smtp-utf8")
    assert lease is not None
    assert lease.status == "failed"  # the lease is released, with the reason
    assert "non-ASCII local part" in (lease.last_error or "")
    note = MailFailure.get(FAILURE_PREFIX + "m-utf8")
    assert note.kind == "permanent"
    assert "non-ASCII local part" in note.error


def test_smtplib_unicode_errors_are_permanent_with_a_reason(smtp: Any) -> None:
    """The transport's own backstop, for anything that reaches it unconverted."""
    transport = SmtpTransport(mail_settings(smtp(Inbox())))
    with pytest.raises(PermanentDeliveryError, match="cannot encode an address"):
        transport.send("no-reply@example.com", ["jürgen@example.com"], an_email("smtp-1").to_mime())
