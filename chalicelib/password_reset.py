"""Password reset by email: request (queued), compose (worker), confirm (single use)."""

from __future__ import annotations

import hmac
import json
import uuid
from collections.abc import Mapping
from typing import Any

from chalicelib import accounts, mailer, notifications, passwords, suppression, throttle, tokens
from chalicelib.aws import queue_url, sqs
from chalicelib.errors import InvalidTokenError, StaleWriteError, ValidationError
from chalicelib.logs import logger
from chalicelib.models import UserRecord
from chalicelib.settings import get_settings

RESET_REQUESTED = "password_reset_requested"
RESET_SUBJECT = "[Microblog] Reset Your Password"
HOUR = 3600


def request_reset(email: str, client_ip: str) -> bool:
    """Accept a reset request for any well-formed address; the worker decides if mail goes out.

    Known and unknown addresses take the very same path here (validate, count, enqueue), so
    the answer and its timing reveal nothing; the lookup and the rendering happen behind the
    queue. Requests over the per-address or per-client cap are counted and dropped, and the
    caller answers them like any other. Returns whether a job was queued.
    """
    settings = get_settings()
    address = accounts.normalize_email(email)
    per_address = throttle.hit("reset-address", address.casefold(), HOUR)
    per_client = throttle.hit("reset-client", client_ip, HOUR)
    if per_address > settings.reset_emails_per_hour:
        return False
    if per_client > settings.reset_requests_per_ip_per_hour:
        return False
    body = json.dumps({"type": RESET_REQUESTED, "email": address})
    sqs().send_message(QueueUrl=queue_url(), MessageBody=body)
    return True


def reset_link(token: str) -> str:
    """The absolute link, built from the configured base URL only (never the Host header)."""
    return f"{get_settings().public_base_url}/reset_password/{token}"


def send_reset_email(job: Mapping[str, Any], job_id: str) -> str | None:
    """Worker side: mail a fresh reset link to the stored address of a known account."""
    email = job.get("email")
    if not isinstance(email, str):
        raise ValidationError("malformed reset job")
    record = accounts.find_by_email(accounts.normalize_email(email))
    if record is None:
        logger.info("reset requested for an unknown address", to=mailer.mask_address(email))
        return None
    if suppression.is_suppressed(record.email):
        # Bounced or complained: nothing goes out; the request was answered alike.
        logger.info("reset email suppressed", to=mailer.mask_address(record.email))
        return None
    user = accounts.User.from_record(record)
    ttl = get_settings().reset_token_ttl
    token = accounts.issue_token(user, tokens.Purpose.RESET_PASSWORD, ttl)
    # The email's id derives from the job's, so a redelivered job queues the same email id.
    logger.info("reset email queued", to=mailer.mask_address(record.email), user_id=user.id)
    return mailer.send_templated_email(
        RESET_SUBJECT,
        "reset_password",
        recipient=record.email,
        message_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"reset:{job_id}")),
        user=user,
        link=reset_link(token),
        minutes=max(1, ttl // 60),
    )


def check_token(token: str) -> UserRecord:
    """The account a reset token is for, while the token is valid and unused."""
    claims = tokens.verify(tokens.Purpose.RESET_PASSWORD, token)
    record = accounts.load_record(claims.user_id)
    if record is None:
        raise InvalidTokenError("no such user")
    if not hmac.compare_digest(passwords.fingerprint(record.password_hash), claims.fingerprint):
        raise InvalidTokenError("token already used")
    return record


def confirm_reset(token: str, new_password: str, repeat: str | None = None) -> accounts.User:
    """Set a new password with a valid token; the token, its siblings and old sessions die.

    `repeat` is the form's second password field; the token is checked before it.
    """
    record = check_token(token)
    if repeat is not None and repeat != new_password:
        raise ValidationError("Passwords must match.", "password2")
    passwords.check_policy(new_password, record.username, record.email)
    try:
        user = accounts.set_password(record, new_password)
    except StaleWriteError:
        raise InvalidTokenError("token already used") from None
    notifications.password_changed(user)
    return user
