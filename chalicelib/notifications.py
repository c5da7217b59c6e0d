"""Security notifications to account owners."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chalicelib import mailer
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.accounts import User

CHANGED_SUBJECT = "[Microblog] Your password was changed"


def password_changed(user: User) -> str:
    """Queue the "your password was changed" email (it carries no link that logs in)."""
    return mailer.send_templated_email(
        CHANGED_SUBJECT,
        "password_changed",
        recipient=user.email,
        message_id=str(uuid.uuid4()),
        user=user,
        changed_at=datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
        request_url=f"{get_settings().public_base_url}/reset_password_request",
    )
