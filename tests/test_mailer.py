"""The email composer's pipeline helpers: masking, redaction, stable Message-IDs, suppression."""

from __future__ import annotations

import pytest

from chalicelib.errors import ValidationError
from chalicelib.mailer import QueuedEmail, bare_address, mask_address, redact


def test_mask_address() -> None:
    assert mask_address("susan@example.com") == "s***@example.com"
    assert mask_address("not-an-address") == "***"


def test_redact_masks_every_address_in_provider_errors() -> None:
    text = "Email address is not verified: a@b.com, Carol.Smith+x@mail.example.org."
    assert redact(text) == "Email address is not verified: a***@b.com, C***@mail.example.org."


def test_message_id_is_stable_per_email_id_and_safe() -> None:
    email = QueuedEmail("abc-123", "s", "no-reply@example.com", ("a@example.com",), "t", "h")
    assert email.message_id == email.message_id == "<abc-123@example.com>"
    assert email.to_mime()["Message-ID"] == "<abc-123@example.com>"
    odd = QueuedEmail(
        "weird id <with> spaces", "s", "no-reply@example.com", ("a@example.com",), "t", "h"
    )
    assert odd.message_id.startswith("<")
    assert " " not in odd.message_id
    assert odd.message_id.count("<") == 1


def test_without_drops_suppressed_addresses_case_insensitively() -> None:
    email = QueuedEmail(
        "x",
        "s",
        "f@example.com",
        ("A@Example.com", "b@example.com"),
        "t",
        "h",
        cc=("Carol <c@example.com>",),
    )
    kept = email.without({bare_address("a@example.com"), "c@example.com"})
    assert kept.recipients == ("b@example.com",)
    assert kept.cc == ()
    assert email.without(set()) == email


def test_queued_email_without_a_usable_id_is_refused() -> None:
    base = {
        "subject": "s",
        "sender": "f@example.com",
        "recipients": ["a@example.com"],
        "text_body": "t",
        "html_body": "h",
    }
    assert QueuedEmail.from_dict({**base, "id": "ok-1"}).id == "ok-1"
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(ValidationError, match="idempotency key"):
            QueuedEmail.from_dict({**base, "id": bad})
