"""Security notices to account owners."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from chalicelib.auth.users import User
from chalicelib.mail.composing import queue_templated_email
from chalicelib.settings import get_settings

CHANGED_SUBJECT = "[Microblog] Your password was changed"


def password_changed(user: User) -> str:
    """Queue the "your password was changed" email (it carries no link that logs in)."""
    return queue_templated_email(
        CHANGED_SUBJECT,
        "password_changed",
        recipient=user.email,
        message_id=str(uuid.uuid4()),
        user=user,
        changed_at=datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
        request_url=f"{get_settings().public_base_url}/reset_password_request",
    )
