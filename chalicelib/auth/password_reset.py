"""Password reset by email: request (queued), compose and deliver (worker), confirm (single use)."""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import metrics
from chalicelib.auth import accounts, throttle, tokens
from chalicelib.auth.mail_caps import MailKind, allow
from chalicelib.auth.users import (
    User,
    check_token,
    email_key,
    issue_token,
    load_record,
    normalize_email,
)
from chalicelib.aws import dynamodb, queue_url, sqs
from chalicelib.errors import AppError, InvalidTokenError, StaleWriteError, ValidationError
from chalicelib.i18n import N_
from chalicelib.logs import logger, mask_address, redact
from chalicelib.mail import delivery, idempotency, suppression
from chalicelib.mail.composing import bare_address, compose_templated_email
from chalicelib.mail.delivery import Outcome
from chalicelib.mail.idempotency import Lease
from chalicelib.mail.transports import Transport
from chalicelib.models import Suppression, UserRecord
from chalicelib.settings import get_settings

RESET_REQUESTED = "password_reset_requested"
RESET_SUBJECT = N_("[Microblog] Reset Your Password")
HOUR = 3600
PURPOSE = tokens.Purpose.RESET_PASSWORD


def request_reset(email: str, client_ip: str) -> bool:
    """Accept a reset request for any well-formed address; the worker decides if mail goes out.

    Known and unknown addresses take the very same path here (validate, count, enqueue), so
    the answer and its timing reveal nothing; the lookup and the rendering happen behind the
    queue. The per-client cap is checked first: a request it drops is not counted against
    the address, so nobody can spend another person's quota from an address over its cap.
    Dropped requests are answered by the caller like any other. Returns whether a job was
    queued. Raises ValidationError for a malformed address.
    """
    settings = get_settings()
    address = normalize_email(email)
    metrics.note(metrics.Metric.RESET_REQUESTED)
    if throttle.exceeded("reset-client", client_ip, HOUR, settings.reset_requests_per_ip_per_hour):
        return False
    if not allow(MailKind.RESET, address, verified=True):
        return False
    body = json.dumps({"type": RESET_REQUESTED, "email": address})
    sqs().send_message(QueueUrl=queue_url(), MessageBody=body)
    return True


def reset_link(token: str) -> str:
    """The absolute link, built from the configured base URL only (never the Host header)."""
    return f"{get_settings().public_base_url}/{PURPOSE.link_route}/{token}"


def _guard_and_suppression(address: str) -> tuple[str | None, bool]:
    """The user id an address's guard names, and whether the address is suppressed.

    One BatchGetItem over both tables (the guard in the users table, the suppression entry
    in the state table), strongly consistent; keys DynamoDB leaves unprocessed are asked again.
    """
    settings = get_settings()
    guard_key, suppress_key = email_key(address), suppression.key_of(address)
    request: dict[str, Any] = {
        settings.users_table: {"Keys": [{"pk": {"S": guard_key}}], "ConsistentRead": True},
        settings.state_table: {"Keys": [{"pk": {"S": suppress_key}}], "ConsistentRead": True},
    }
    found: dict[str, dict[str, Any]] = {}
    while request:
        answer = dynamodb().batch_get_item(RequestItems=request)
        for items in answer.get("Responses", {}).values():
            found.update({item["pk"]["S"]: item for item in items})
        request = dict(answer.get("UnprocessedKeys") or {})
    guard, entry = found.get(guard_key), found.get(suppress_key)
    suppressed = entry is not None and suppression.in_force(
        Suppression.from_raw_data(entry), time.time()
    )
    return (guard["user_id"]["S"] if guard else None), suppressed


def send_reset_email(
    job: Mapping[str, Any], job_id: str, transport: Transport | None = None
) -> Outcome | None:
    """Worker side: compose a fresh reset link for a known account and deliver it at once.

    One hop: the email is composed and sent in the invocation that took the job, under the
    idempotency key derived from the job's id (a redelivered job makes the same email id, so
    mail.delivery sends it once). Reads: guard + suppression batched, then the account with
    the idempotency claim beside it.
    Returns the delivery's outcome, or None when nothing goes out (unknown or suppressed).
    Raises ValidationError (malformed job), Transient/PermanentDeliveryError (delivery).
    """
    email = job.get("email")
    if not isinstance(email, str):
        raise ValidationError("malformed reset job")
    address = normalize_email(email)
    user_id, suppressed = _guard_and_suppression(address)
    if user_id is None:
        logger.info("reset requested for an unknown address", to=mask_address(email))
        return None
    email_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"reset:{job_id}"))
    lease: Lease | None = None
    if suppressed:  # nothing is claimed unless the stored spelling turns out not to be
        record = load_record(user_id)
    else:
        # The idempotency claim goes out beside the account read: neither needs the other.
        record, lease = delivery.claim_beside(email_id, functools.partial(load_record, user_id))
        if lease is None:
            logger.info("reset email %s already sent; duplicate dropped", email_id)
            return Outcome.DUPLICATE
    if record is not None and bare_address(record.email) != bare_address(address):
        suppressed = suppression.is_suppressed(record.email)  # the stored spelling decides
    if record is None or suppressed:
        if suppressed:
            metrics.note(metrics.Metric.EMAIL_FAILED, metrics.Failure.SUPPRESSED)
        if lease is not None:
            idempotency.release(lease, "nothing to send")
        # Gone, bounced or complained: nothing goes out; the request was answered alike.
        logger.info("reset email not sent", to=mask_address(email), known=record is not None)
        return None
    lease = lease or idempotency.claim(email_id)
    if lease is None:
        return Outcome.DUPLICATE
    user = User.from_record(record)
    ttl = get_settings().reset_token_ttl
    try:
        message = compose_templated_email(
            RESET_SUBJECT,
            "reset_password",
            recipient=record.email,
            message_id=email_id,
            locale=user.locale,
            user=user,
            link=reset_link(issue_token(user, PURPOSE, ttl)),
            minutes=max(1, ttl // 60),
        )
    except (AppError, ClientError, BotoCoreError) as exc:  # e.g. the signing keys unreadable
        idempotency.release(lease, redact(f"{type(exc).__name__}: {exc}"))
        raise
    outcome = delivery.deliver_claimed(message, lease, set(), transport)
    logger.info("reset email %s", outcome.value, to=mask_address(record.email), user_id=user.id)
    return outcome


def check_reset_token(token: str) -> UserRecord:
    """The account a reset link is for, while it is valid and unused (raises InvalidTokenError)."""
    return check_token(PURPOSE, token)


def confirm_reset(token: str, new_password: str) -> User:
    """Set a new password with a valid token; the token, its siblings and old sessions die.

    Raises InvalidTokenError (bad, expired or used link) or PasswordPolicyError.
    """
    return reset_with(check_reset_token(token), new_password)


def reset_with(record: UserRecord, new_password: str) -> User:
    """The second half of confirm_reset, for a caller that has checked the token already.

    The link proved the mailbox, so the address is marked verified in the same write.
    Raises InvalidTokenError (another change came first) or PasswordPolicyError.
    """
    try:
        user = accounts.replace_password(record, new_password, proves_address=True)
    except StaleWriteError:
        raise InvalidTokenError("token already used", PURPOSE.value) from None
    metrics.note(metrics.Metric.RESET_COMPLETED)
    return user
