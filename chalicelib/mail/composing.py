"""Compose emails from templates and queue them on SQS for the worker; build their MIME form.

Nothing here sends: `queue` only queues, and mail/delivery.py sends what the worker takes.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from typing import TYPE_CHECKING, Any

import idna

from chalicelib import addresses
from chalicelib.aws import queue_url, sqs
from chalicelib.errors import PermanentDeliveryError, ValidationError
from chalicelib.i18n import DEFAULT_LOCALE, filled, translate
from chalicelib.rendering import render
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.models import AppModel

EMAIL_MESSAGE = "email"
MAX_ID_LENGTH = 200
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def bare_address(address: str) -> str:
    """The lowercased addr-spec of an address that may carry a display name."""
    return parseaddr(address)[1].strip().lower()


def ascii_address(address: str) -> str:
    """The address as mail providers take it: its canonical form (chalicelib.addresses, the
    domain in its IDNA punycode form), which is also what bounces report and suppression keys.

    A non-ASCII local part cannot be delivered without SMTPUTF8, which SES lacks: that is
    a PermanentDeliveryError saying so (registration refuses such addresses up front).
    """
    name, spec = parseaddr(address)
    local, at, domain = spec.rpartition("@")
    if not at or not local or not domain:
        raise PermanentDeliveryError("recipient is not an address")
    if not local.isascii():
        raise PermanentDeliveryError("recipient has a non-ASCII local part (no SMTPUTF8)")
    try:
        bare = f"{local.lower()}@{addresses.ascii_domain(domain)}"
    except idna.IDNAError:
        raise PermanentDeliveryError("recipient domain has no IDNA form") from None
    return formataddr((name, bare)) if name else bare


@dataclass(frozen=True)
class Rider:
    """What a job writes with its email's idempotency claim, in the claim's own transaction
    (an account's event: written when the claim is, never twice for one sent email), and
    what to do once they are written (log them)."""

    items: Sequence[AppModel]
    written: Callable[[], None]


@dataclass(frozen=True)
class QueuedEmail:
    """A rendered email as it travels on the queue."""

    id: str
    subject: str
    sender: str
    recipients: tuple[str, ...]
    text_body: str
    html_body: str
    # The key (in the users table) of the account the email is about, if any: mail for an
    # account that is gone by the time the worker takes it is dropped, not sent.
    account: str = ""

    def to_json(self) -> str:
        fields = asdict(self)
        if not self.account:
            del fields["account"]
        return json.dumps({"type": EMAIL_MESSAGE, **fields})

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
                account=str(data.get("account") or ""),
            )
        except (KeyError, TypeError) as exc:
            raise ValidationError(f"malformed email message: {exc!r}") from None
        if not email.recipients:
            raise ValidationError("an email needs at least one recipient")
        if not email.id.strip() or len(email.id) > MAX_ID_LENGTH:
            raise ValidationError(
                "an email needs an id (its idempotency key) of 1 to 200 characters"
            )
        return email

    @property
    def message_id(self) -> str:
        """Derived from the email's id, so a resend (at-least-once) carries the same one."""
        local = (
            self.id if _SAFE_ID.fullmatch(self.id) else hashlib.sha256(self.id.encode()).hexdigest()
        )
        return f"<{local}@{self.sender.rpartition('@')[2]}>"

    def without(self, suppressed: set[str]) -> QueuedEmail:
        """This email minus the suppressed addresses (compared in canonical form)."""
        kept = tuple(
            a for a in self.recipients if addresses.canonical(bare_address(a)) not in suppressed
        )
        return replace(self, recipients=kept)

    def in_ascii(self) -> QueuedEmail:
        """This email with every recipient in the form providers take (ascii_address).

        Raises PermanentDeliveryError for a recipient that has no such form.
        """
        return replace(self, recipients=tuple(ascii_address(a) for a in self.recipients))

    def to_mime(self, sender_name: str = "") -> EmailMessage:
        """multipart/alternative: the text part first, the HTML part preferred.

        Raises PermanentDeliveryError (with why) when the headers cannot be built, e.g. a
        line break in the subject: retrying would build the same broken message.
        """
        try:
            return self._mime(sender_name)
        except ValueError as exc:
            raise PermanentDeliveryError(f"the message cannot be built: {exc}") from None

    def _mime(self, sender_name: str) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = self.subject
        msg["From"] = Address(display_name=sender_name, addr_spec=self.sender)
        msg["To"] = ", ".join(self.recipients)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = self.message_id
        msg.set_content(self.text_body)
        msg.add_alternative(self.html_body, subtype="html")
        return msg


def compose_email(
    subject: str,
    sender: str,
    recipients: Iterable[str],
    text_body: str,
    html_body: str,
    message_id: str | None = None,
) -> QueuedEmail:
    """One rendered email, ready to queue or to deliver at once. Raises ValidationError."""
    email = QueuedEmail(
        id=message_id or str(uuid.uuid4()),
        subject=subject,
        sender=sender,
        recipients=tuple(recipients),
        text_body=text_body,
        html_body=html_body,
    )
    if not email.recipients:
        raise ValidationError("an email needs at least one recipient")
    return email


def queue(email: QueuedEmail) -> str:
    """Queue one rendered email for the mail worker; returns its id. Never waits for delivery."""
    sqs().send_message(QueueUrl=queue_url(), MessageBody=email.to_json())
    return email.id


def compose_templated_email(
    subject: str,
    template: str,
    recipient: str,
    message_id: str,
    locale: str = DEFAULT_LOCALE,
    **context: Any,
) -> QueuedEmail:
    """Render `template`.txt and `template`.html with `context` into one email (not queued).

    Subject and bodies are in `locale`, the recipient's stored language (`subject` is
    marked with N_ where it is written); `%(site)s` in the subject is the site's name.
    """
    settings = get_settings()
    subject = translate(locale, filled(subject, site=settings.brand.name))
    return compose_email(
        subject=subject,
        sender=settings.mail_sender,
        recipients=[recipient],
        text_body=render(f"email/{template}.txt", locale, subject=subject, **context),
        html_body=render(f"email/{template}.html", locale, subject=subject, **context),
        message_id=message_id,
    )


def queue_templated_email(
    subject: str,
    template: str,
    recipient: str,
    message_id: str,
    locale: str = DEFAULT_LOCALE,
    account: str = "",
    **context: Any,
) -> str:
    """Render `template`.txt and `template`.html with `context` and queue the email (dropped
    by the worker if `account`, the key of the account it is about, is gone by then)."""
    email = compose_templated_email(subject, template, recipient, message_id, locale, **context)
    return queue(replace(email, account=account))
