"""Password reset by email: request (queued), compose (worker), confirm (single use)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from chalicelib.auth import accounts, throttle, tokens
from chalicelib.auth.mail_caps import MailKind, allow
from chalicelib.auth.users import User, check_token, find_by_email, issue_token, normalize_email
from chalicelib.aws import queue_url, sqs
from chalicelib.errors import InvalidTokenError, StaleWriteError, ValidationError
from chalicelib.logs import logger, mask_address
from chalicelib.mail import suppression
from chalicelib.mail.composing import queue_templated_email
from chalicelib.models import UserRecord
from chalicelib.settings import get_settings

RESET_REQUESTED = "password_reset_requested"
RESET_SUBJECT = "[Microblog] Reset Your Password"
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
    if throttle.hit("reset-client", client_ip, HOUR) > settings.reset_requests_per_ip_per_hour:
        return False
    if not allow(MailKind.RESET, address, verified=True):
        return False
    body = json.dumps({"type": RESET_REQUESTED, "email": address})
    sqs().send_message(QueueUrl=queue_url(), MessageBody=body)
    return True


def reset_link(token: str) -> str:
    """The absolute link, built from the configured base URL only (never the Host header)."""
    return f"{get_settings().public_base_url}/{PURPOSE.link_route}/{token}"


def send_reset_email(job: Mapping[str, Any], job_id: str) -> str | None:
    """Worker side: mail a fresh reset link to the stored address of a known account."""
    email = job.get("email")
    if not isinstance(email, str):
        raise ValidationError("malformed reset job")
    record = find_by_email(normalize_email(email))
    if record is None:
        logger.info("reset requested for an unknown address", to=mask_address(email))
        return None
    if suppression.is_suppressed(record.email):
        # Bounced or complained: nothing goes out; the request was answered alike.
        logger.info("reset email suppressed", to=mask_address(record.email))
        return None
    user = User.from_record(record)
    ttl = get_settings().reset_token_ttl
    token = issue_token(user, PURPOSE, ttl)
    # The email's id derives from the job's, so a redelivered job queues the same email id.
    logger.info("reset email queued", to=mask_address(record.email), user_id=user.id)
    return queue_templated_email(
        RESET_SUBJECT,
        "reset_password",
        recipient=record.email,
        message_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"reset:{job_id}")),
        user=user,
        link=reset_link(token),
        minutes=max(1, ttl // 60),
    )


def check_reset_token(token: str) -> UserRecord:
    """The account a reset link is for, while it is valid and unused (raises InvalidTokenError)."""
    return check_token(PURPOSE, token)


def confirm_reset(token: str, new_password: str) -> User:
    """Set a new password with a valid token; the token, its siblings and old sessions die.

    The link proved the mailbox, so the address is marked verified in the same write.

    Raises InvalidTokenError (bad, expired or used link) or PasswordPolicyError.
    """
    record = check_reset_token(token)
    try:
        return accounts.replace_password(record, new_password, proves_address=True)
    except StaleWriteError:
        raise InvalidTokenError("token already used", PURPOSE.value) from None
