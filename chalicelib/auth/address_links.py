"""The emails that carry a link confirming an address: an account's own, and a new address
another account asked to move to.

A link to the account's own address greets its owner. A change link goes to an address that
may be anyone's: it carries no word the requester chose (no username), and counts against
that address's own cap for change links (MailKind.CHANGE), never against the owner's own
verification mail (MailKind.VERIFY), so strangers naming an address cannot withhold its
owner's registration link or "send again".
"""

from __future__ import annotations

from chalicelib import links, metrics
from chalicelib.auth import tokens
from chalicelib.auth.mail_caps import MailKind, allow
from chalicelib.auth.users import User, issue_token
from chalicelib.i18n import N_
from chalicelib.logs import logger, mask_address
from chalicelib.mail.composing import queue_templated_email
from chalicelib.models import USER_PREFIX
from chalicelib.settings import HOUR, get_settings

PURPOSE = tokens.Purpose.VERIFY_EMAIL
VERIFY_SUBJECT = N_("[%(site)s] Confirm your email address")


def send_own_link(user: User, message_id: str) -> str | None:
    """Queue a link that confirms the account's own address, unless its cap is spent.

    Returns the queued email's id, or None when the cap withheld it (the caller answers alike).
    """
    if not allow(MailKind.VERIFY, user.email):
        logger.info("verification email over the cap", to=mask_address(user.email))
        return None
    ttl = get_settings().verify_token_ttl
    token = issue_token(user, PURPOSE, ttl, address=user.email)
    return _queue(user, user.email, message_id, token, change=False)


def send_change_link(user: User, address: str, change_id: str, message_id: str) -> str | None:
    """Queue the link that moves `user` to `address` (the pending change `change_id`), unless
    that address's cap for change links is spent. Returns the email's id, or None."""
    if not allow(MailKind.CHANGE, address):
        logger.info("change link over the cap", to=mask_address(address))
        return None
    ttl = get_settings().verify_token_ttl
    token = issue_token(user, PURPOSE, ttl, address=address, change=change_id)
    return _queue(user, address, message_id, token, change=True)


def _queue(user: User, address: str, message_id: str, token: str, change: bool) -> str:
    metrics.note(metrics.Metric.VERIFICATION_SENT)
    ttl = get_settings().verify_token_ttl
    return queue_templated_email(
        VERIFY_SUBJECT,
        "verify_email",
        recipient=address,
        message_id=message_id,
        locale=user.locale,
        account=USER_PREFIX + user.id,  # dropped if the account is deleted before it goes
        # A change link names nobody: whoever reads it may not be the one who asked.
        username=None if change else user.username,
        link=links.verify_email(token),
        hours=max(1, ttl // HOUR),
        change=change,
    )
