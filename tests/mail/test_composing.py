"""The email composer: templates, the queued message, its MIME form, masking and redaction."""

from __future__ import annotations

import json
from email import message_from_bytes
from types import SimpleNamespace

import pytest

from chalicelib import aws
from chalicelib.errors import ValidationError
from chalicelib.logs import mask_address, redact
from chalicelib.mail import composing as mailer
from chalicelib.mail.composing import QueuedEmail, bare_address
from chalicelib.rendering import render
from tests.helpers.environment import BASE_URL
from tests.helpers.inbox import sent_mail

LINK = f"{BASE_URL}/reset_password/tok.en.value"


def test_reset_templates_say_dear_user_and_carry_the_absolute_link() -> None:
    user = SimpleNamespace(username="susan<script>")
    text = render("email/reset_password.txt", user=user, link=LINK, minutes=10)
    html = render("email/reset_password.html", user=user, link=LINK, minutes=10)
    assert text.startswith("Dear susan<script>,")
    assert LINK in text
    assert "If you have not requested a password reset, simply ignore this message." in text
    assert "Dear susan&lt;script&gt;," in html  # autoescaped in HTML only
    assert html.count(f'href="{LINK}"') == 2  # the button and the written-out link
    assert f">{LINK}</a>" in html  # the link also printed as text, for when buttons fail
    assert "If you have not requested a password reset, simply ignore this message." in html


def test_html_emails_are_one_narrow_column_with_inline_styles_and_no_images() -> None:
    user = SimpleNamespace(username="susan")
    html = render("email/reset_password.html", user=user, link=LINK, minutes=10)
    assert "max-width:600px" in html
    assert "word-break:break-all" in html  # a long link wraps instead of widening the mail
    assert "<img" not in html
    assert "<link" not in html  # no stylesheet to fetch: styles are inline
    assert 'name="color-scheme" content="light dark"' in html
    assert "prefers-color-scheme: dark" in html


def test_no_email_asks_for_a_reply_from_the_no_reply_sender() -> None:
    user = SimpleNamespace(username="susan")
    context = {"user": user, "changed_at": "now", "request_url": "https://x/reset_password_request"}
    context |= {"secure_url": "https://x/secure_account/a.b.c", "days": 7}
    for part in ("txt", "html"):
        notice = render(f"email/password_changed.{part}", **context)
        assert "replying" not in notice
        assert "replies to this address are not read" in notice.lower()
        assert "https://x/reset_password_request" in notice  # where to go instead


def _receive_all() -> list[dict[str, object]]:
    messages = aws.sqs().receive_message(QueueUrl=aws.queue_url(), MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def test_queue_queues_one_message_and_does_not_send() -> None:
    message_id = mailer.queue(
        mailer.compose_email(
            "[Microblog] Test",
            "no-reply@example.com",
            ["a@example.com"],
            "text body",
            "<h1>HTML body</h1>",
        )
    )
    [queued] = _receive_all()
    assert queued == {
        "type": "email",
        "id": message_id,
        "subject": "[Microblog] Test",
        "sender": "no-reply@example.com",
        "recipients": ["a@example.com"],
        "text_body": "text body",
        "html_body": "<h1>HTML body</h1>",
    }
    assert sent_mail() == []


def test_an_email_needs_a_recipient() -> None:
    with pytest.raises(ValidationError):
        mailer.compose_email("s", "no-reply@example.com", [], "t", "h")
    assert _receive_all() == []


def test_mime_is_multipart_alternative_with_text_first() -> None:
    email = mailer.QueuedEmail(
        id="abc",
        subject="[Microblog] Reset your password",
        sender="no-reply@example.com",
        recipients=("susan@example.com",),
        text_body="Dear susan,",
        html_body="<p>Dear susan,</p>",
    )
    mime = message_from_bytes(email.to_mime(sender_name="Microblog").as_bytes())
    assert mime.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mime.get_payload()] == ["text/plain", "text/html"]  # type: ignore[union-attr]
    assert mime["From"] == "Microblog <no-reply@example.com>"
    assert mime["To"] == "susan@example.com"
    assert mime["Message-ID"].startswith("<")
    assert "abc" in mime["Message-ID"]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"id": "1", "subject": "s", "sender": "a@example.com", "recipients": []},
        {
            "id": "1",
            "subject": "s",
            "sender": "a@example.com",
            "recipients": None,
            "text_body": "t",
            "html_body": "h",
        },
    ],
)
def test_malformed_queue_messages_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        mailer.QueuedEmail.from_dict(data)


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
        ("A@Example.com", "b@example.com", "Carol <c@example.com>"),
        "t",
        "h",
    )
    kept = email.without({bare_address("a@example.com"), "c@example.com"})
    assert kept.recipients == ("b@example.com",)
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
