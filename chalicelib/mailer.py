"""Compose emails from templates and queue them on SQS; build their MIME form."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from chalicelib.aws import queue_url, sqs
from chalicelib.errors import ValidationError
from chalicelib.rendering import render
from chalicelib.settings import get_settings

EMAIL_MESSAGE = "email"


@dataclass(frozen=True)
class QueuedEmail:
    """A rendered email as it travels on the queue."""

    id: str
    subject: str
    sender: str
    recipients: tuple[str, ...]
    text_body: str
    html_body: str
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps({"type": EMAIL_MESSAGE, **asdict(self)})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QueuedEmail:
        """Rebuild from a queue message, refusing anything malformed."""
        try:
            email = cls(
                id=str(data["id"]),
                subject=str(data["subject"]),
                sender=str(data["sender"]),
                recipients=tuple(str(r) for r in data["recipients"]),
                text_body=str(data["text_body"]),
                html_body=str(data["html_body"]),
                cc=tuple(str(r) for r in data.get("cc", ())),
                bcc=tuple(str(r) for r in data.get("bcc", ())),
            )
        except (KeyError, TypeError) as exc:
            raise ValidationError(f"malformed email message: {exc!r}") from None
        if not email.recipients:
            raise ValidationError("an email needs at least one recipient")
        return email

    @property
    def all_recipients(self) -> list[str]:
        return [*self.recipients, *self.cc, *self.bcc]

    def to_mime(self, sender_name: str = "") -> EmailMessage:
        """multipart/alternative: the text part first, the HTML part preferred."""
        msg = EmailMessage()
        msg["Subject"] = self.subject
        msg["From"] = Address(display_name=sender_name, addr_spec=self.sender)
        msg["To"] = ", ".join(self.recipients)
        if self.cc:
            msg["Cc"] = ", ".join(self.cc)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(idstring=self.id, domain=self.sender.split("@")[-1])
        msg.set_content(self.text_body)
        msg.add_alternative(self.html_body, subtype="html")
        return msg


def send_email(
    subject: str,
    sender: str,
    recipients: Iterable[str],
    text_body: str,
    html_body: str,
    cc: Iterable[str] = (),
    bcc: Iterable[str] = (),
    message_id: str | None = None,
) -> str:
    """Queue one rendered email for the mail worker; returns its id. Never waits for delivery."""
    email = QueuedEmail(
        id=message_id or str(uuid.uuid4()),
        subject=subject,
        sender=sender,
        recipients=tuple(recipients),
        text_body=text_body,
        html_body=html_body,
        cc=tuple(cc),
        bcc=tuple(bcc),
    )
    if not email.recipients:
        raise ValidationError("an email needs at least one recipient")
    sqs().send_message(QueueUrl=queue_url(), MessageBody=email.to_json())
    return email.id


def send_templated_email(
    subject: str, template: str, recipient: str, message_id: str, **context: Any
) -> str:
    """Render `template`.txt and `template`.html with `context` and queue the email."""
    return send_email(
        subject=subject,
        sender=get_settings().mail_sender,
        recipients=[recipient],
        text_body=render(f"email/{template}.txt", **context),
        html_body=render(f"email/{template}.html", **context),
        message_id=message_id,
    )
