"""Password reset by email: request (queued), compose (worker), open the link and set a password.

The account rules live here; the mail package delivers (mail.deliver_deferred).
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib import links, metrics
from chalicelib.activity_models import EVENT_PREFIX
from chalicelib.auth import accounts, activity, devices, throttle, tokens
from chalicelib.auth.activity import EventKind, Origin
from chalicelib.auth.guards import email_keys, holds, user_id_among
from chalicelib.auth.users import User, canonical_address, check_token, issue_token, load_record
from chalicelib.aws import queue_url, sqs
from chalicelib.errors import InvalidTokenError, QueueRefusedError, StaleWriteError, ValidationError
from chalicelib.i18n import N_
from chalicelib.logs import logger, mask_address
from chalicelib.mail import QueuedEmail, Rider, compose_templated_email
from chalicelib.models import AppModel, Guard, Items, UserRecord
from chalicelib.settings import HOUR, get_settings

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

RESET_REQUESTED = "password_reset_requested"
SQS_BATCH = 10  # SendMessageBatch's most
RESET_SUBJECT = N_("[%(site)s] Reset your password")
PURPOSE = tokens.Purpose.RESET_PASSWORD
# What reset requests are counted under (throttle scopes).
DEVICE_SCOPE = "reset-device"
CLIENT_SCOPE = "reset-client"
ADDRESS_SCOPE = "reset-address-client"


def request_reset(
    email: str, client_ip: str, device_token: str = "", origin: Origin = Origin()
) -> bool:
    """Accept a reset request for any well-formed address; the worker decides if mail goes out.

    Known and unknown addresses take the very same path here (validate, count, enqueue), so
    the answer and its timing reveal nothing; the lookup and the rendering happen behind the
    queue. Who asks decides what is counted (nothing is read):
    - a trusted device of the address's account (`device_token`, auth/devices.py) spends its
      own hourly cap (RESET_EMAILS_PER_HOUR) and nothing anyone else can spend;
    - anyone else spends the client's cap across addresses (RESET_REQUESTS_PER_IP_PER_HOUR,
      checked first: a request it drops is not counted against the address), then, in one
      conditional write, RESET_EMAILS_PER_HOUR for this (address, client) and
      UNTRUSTED_RESET_EMAILS_PER_HOUR for the address from all such clients together.
    So one stranger cannot silence the owner anywhere, and no number of strangers can silence
    the owner's trusted device. Dropped requests are answered by the caller like any other.
    The address is counted and queued in canonical form, with `origin` and the time: the
    worker records the request for an existing account. Returns whether a job was queued.
    Raises ValidationError for a malformed address.
    """
    address = canonical_address(email)
    metrics.note(metrics.Metric.RESET_REQUESTED)
    device = devices.read(device_token)
    if device is not None and device.vouches_for(address):
        own_cap = get_settings().reset_emails_per_hour
        allowed = not throttle.exceeded(DEVICE_SCOPE, device.subject, HOUR, own_cap)
    else:
        allowed = _stranger_may_ask(address, client_ip)
    if allowed:
        queue_jobs([address], origin)
    return allowed


def _stranger_may_ask(address: str, client: str) -> bool:
    settings = get_settings()
    if throttle.exceeded(CLIENT_SCOPE, client, HOUR, settings.reset_requests_per_ip_per_hour):
        return False
    within = throttle.hit_within(
        ADDRESS_SCOPE,
        address,
        client,
        HOUR,
        part_cap=settings.reset_emails_per_hour,
        total_cap=settings.untrusted_reset_emails_per_hour,
    )
    if not within:
        metrics.note(metrics.Metric.EMAIL_FAILED, metrics.Failure.CAPPED)
    return within


def queue_jobs(addresses: Sequence[str], origin: Origin = Origin()) -> None:
    """Queue a reset job per address: the worker mails a fresh link to the account behind it.

    The one way a job is queued, for a reset request (one job: one SendMessage) and for the
    breach response (many: ten to a SendMessageBatch). Each carries who asked (`origin`) and
    when, for the account's `reset_requested` event. Raises QueueRefusedError when SQS
    refuses any of a batch.
    """
    asked = {"origin": vars(origin), "at": int(time.time() * 1000)}
    bodies = [
        json.dumps({"type": RESET_REQUESTED, "email": address, **asked}) for address in addresses
    ]
    if len(bodies) == 1:
        sqs().send_message(QueueUrl=queue_url(), MessageBody=bodies[0])
        return
    for start in range(0, len(bodies), SQS_BATCH):
        batch = bodies[start : start + SQS_BATCH]
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {"Id": str(i), "MessageBody": body} for i, body in enumerate(batch)
        ]
        failed = sqs().send_message_batch(QueueUrl=queue_url(), Entries=entries).get("Failed")
        if failed:
            raise QueueRefusedError(
                f"SQS refused {len(failed)} reset jobs: {failed[0].get('Message')}"
            )


def reset_email(job: Mapping[str, Any], job_id: str) -> ResetEmail:
    """The email a queued reset job asks for (the worker delivers it: mail.deliver_deferred).

    Its id derives from the job's, so a redelivered job makes the same email, sent once.
    Jobs queued before canonical addresses name the address as typed: any spelling works.
    Raises ValidationError for a malformed job.
    """
    address, asked, at = job.get("email"), job.get("origin") or {}, job.get("at")
    if not isinstance(address, str) or not isinstance(asked, dict):
        raise ValidationError("malformed reset job")
    origin = Origin(*(str(asked.get(name, "")) for name in ("client", "user_agent", "request_id")))
    email_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"reset:{job_id}"))
    moment = at / 1000 if isinstance(at, int) else None  # older jobs carry neither
    return ResetEmail(email_id, canonical_address(address), origin, moment)


def _account_of(user_id: str, address: str) -> UserRecord | None:
    return holds(load_record(user_id), address)


@dataclass(frozen=True)
class ResetEmail:
    """A fresh reset link for the account an address belongs to, if any (mail.DeferredEmail).

    Reads: the address's guard, under both keys where an account stored before canonical
    addresses may hold an old one (auth/guards.py), batched with its suppression entry; then
    the account it names (beside the idempotency claim), which must hold this very address.
    It goes to the address as the account stores it (delivered in canonical form).
    """

    email_id: str
    recipient: str
    origin: Origin = Origin()
    at: float | None = None  # when it was asked for (None: now)

    def items(self) -> list[tuple[type[AppModel], str]]:
        return [(Guard, key) for key in email_keys(self.recipient)]

    def read_beside_claim(self, found: Items) -> Callable[[], UserRecord | None] | None:
        user_id = user_id_among(found, email_keys(self.recipient))
        if user_id is None:  # answered alike when requested; nothing goes out
            logger.info("reset requested for an unknown address", to=mask_address(self.recipient))
            return None
        return functools.partial(_account_of, user_id, self.recipient)

    def rider(self, found: Items) -> Rider | None:
        """The account's `reset_requested` event, in the claim's transaction (behind the
        queue, so the request path stays as it is). Keyed by the job: a retried job
        rewrites the same event rather than adding one."""
        user_id = user_id_among(found, email_keys(self.recipient))
        if user_id is None:
            return None
        event = activity.pending(user_id, EventKind.RESET_REQUESTED, self.origin, self.at)
        suffix = hashlib.sha256(self.email_id.encode()).hexdigest()[:8]
        event.sk = f"{EVENT_PREFIX}{int(event.at):013d}#{suffix}"
        return Rider([event], functools.partial(activity.logged, event))

    def addressee(self, record: UserRecord) -> str:
        return record.email

    def compose(self, record: UserRecord) -> QueuedEmail:
        user = User.from_record(record)
        ttl = get_settings().reset_token_ttl
        return compose_templated_email(
            RESET_SUBJECT,
            "reset_password",
            recipient=record.email,
            message_id=self.email_id,
            locale=user.locale,
            user=user,
            link=links.reset_password(issue_token(user, PURPOSE, ttl)),
            minutes=max(1, ttl // 60),
        )


class ResetLink:
    """An open reset link: whose it is, and the one thing it can do (as Django's
    SetPasswordForm(user) does). The account's stored record stays in here."""

    def __init__(self, record: UserRecord) -> None:
        self._record = record
        self._used = False
        self.user = User.from_record(record)

    def set_password(self, new_password: str, origin: Origin = Origin()) -> User:
        """Set the new password; this link, its siblings and every session end with it.

        The link proved the mailbox, so the address is marked verified in the same write.
        Raises PasswordPolicyError, or InvalidTokenError when another change came first.
        """
        if self._used:
            raise InvalidTokenError("token already used", PURPOSE.value)
        try:
            user = accounts.replace_password(
                self._record, new_password, proves_address=True, origin=origin
            )
        except StaleWriteError:
            raise InvalidTokenError("token already used", PURPOSE.value) from None
        self._used = True
        metrics.note(metrics.Metric.RESET_COMPLETED)
        return user


def open_link(token: str) -> ResetLink:
    """The reset link a token makes, while valid and unused (raises InvalidTokenError).

    Opening it changes nothing (mail scanners open links); set_password does.
    """
    return ResetLink(check_token(PURPOSE, token))


def confirm_reset(token: str, new_password: str, origin: Origin = Origin()) -> User:
    """Set a new password with a reset token in one step (the JSON API).

    Raises InvalidTokenError (bad, expired or used link) or PasswordPolicyError.
    """
    return open_link(token).set_password(new_password, origin)
