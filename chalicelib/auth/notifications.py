"""Security notices to account owners: no login link, only to verified addresses.

Every notice of a change carries a "this wasn't me" link (auth/not_me.py), bound to the
address it goes to and alive for SECURE_LINK_TTL_DAYS whatever changes meanwhile.

A completed change (password changed by a change or a reset, address changed) is always
told: it is the one mail that reveals a takeover, so no cap drops it; the actions behind it
are capped instead (PASSWORD_CHANGES_PER_HOUR, EMAIL_CHANGES_PER_HOUR, the reset caps). The
notice that a change was only asked for shares the address's notice cap.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from chalicelib import links
from chalicelib.auth import tokens
from chalicelib.auth.mail_caps import allow_notice
from chalicelib.auth.users import User
from chalicelib.i18n import N_
from chalicelib.logs import logger, mask_address
from chalicelib.mail.composing import queue_templated_email
from chalicelib.models import USER_PREFIX
from chalicelib.settings import get_settings

CHANGED_SUBJECT = N_("[%(site)s] Your password was changed")
EMAIL_CHANGE_SUBJECT = N_("[%(site)s] A change of your email address was requested")
EMAIL_CHANGED_SUBJECT = N_("[%(site)s] Your email address was changed")
DELETED_SUBJECT = N_("[%(site)s] Your account was deleted")
# What a "this wasn't me" link undoes (its claim "m"): secure the whole account, or only
# cancel a change of address that was asked for.
SECURE, CANCEL = "s", "c"


def secure_link(user: User, mode: str = SECURE) -> str:
    """The "this wasn't me" link of a notice to `user.email` (auth/not_me.py acts on it)."""
    ttl = get_settings().owner.secure_link_ttl
    token = tokens.issue(
        tokens.Purpose.SECURE_ACCOUNT,
        user.id,
        user.stamp,
        ttl,
        address=user.email,
        own={"m": mode},
    )
    return links.secure_account(token)


def _withheld(user: User, allowed: bool) -> bool:
    if allowed:
        return False
    logger.info("notice withheld", to=mask_address(user.email), verified=user.email_verified)
    return True


def _now() -> str:
    return datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def _notice(user: User, allowed: bool, subject: str, template: str, **context: Any) -> str | None:
    """Queue one notice to the account's address, unless withheld (`allowed` false).
    Returns the email's id, or None."""
    if _withheld(user, allowed):
        return None
    return queue_templated_email(
        subject,
        template,
        recipient=user.email,
        message_id=str(uuid.uuid4()),
        locale=user.locale,
        user=user,
        **context,
    )


def _secure(user: User, mode: str = SECURE) -> dict[str, Any]:
    """What a notice of a change needs: the account it names (the worker drops the notice if
    the account is gone by then) and its "this wasn't me" link with that link's lifetime."""
    link, days = secure_link(user, mode), get_settings().owner.secure_link_ttl_days
    return {"account": USER_PREFIX + user.id, "secure_url": link, "days": days}


def password_changed(user: User) -> str | None:
    """Queue the "your password was changed" email (it carries no link that logs in).

    Returns the email's id, or None when withheld (an unverified address).
    """
    return _notice(
        user,
        user.email_verified,
        CHANGED_SUBJECT,
        "password_changed",
        changed_at=_now(),
        request_url=links.reset_request(),
        **_secure(user),
    )


def email_change_requested(user: User, new_address: str) -> str | None:
    """Tell the current address that a move to another one was asked for (no login link;
    capped per address)."""
    return _notice(
        user,
        allow_notice(user),
        EMAIL_CHANGE_SUBJECT,
        "email_change_requested",
        new_address=mask_address(new_address),
        requested_at=_now(),
        request_url=links.reset_request(),
        **_secure(user, CANCEL),
    )


def email_changed(user: User, new_address: str) -> str | None:
    """Tell the previous address that the account moved (`user` as it was before the move;
    withheld only if that address was unverified)."""
    return _notice(
        user,
        user.email_verified,
        EMAIL_CHANGED_SUBJECT,
        "email_changed",
        new_address=mask_address(new_address),
        changed_at=_now(),
        **_secure(user),
    )


def account_deleted(user: User) -> str | None:
    """The last word to a deleted account's verified address (`user` as it was): it is gone,
    and its name and address are free."""
    return _notice(user, user.email_verified, DELETED_SUBJECT, "account_deleted", deleted_at=_now())
