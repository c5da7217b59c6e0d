"""Who may get which mail, and how much: one cap per email kind per address per hour.

An address gets only what its owner asked for or must know: verification and reset mails
always (capped), notices only once the address is verified. Caps count the address in its
canonical form, so no spelling of it gets a quota of its own.

An address's own verification mail (registration, "send again") and the change confirmations
other accounts ask to send it are two kinds with two counts: however many strangers name an
address, its owner's own link still goes out. A notice of a completed change (password changed,
address changed) is never capped: the actions are (accounts, email_change). A withheld notice
is not counted, so an unverified address never spends its quota on mail it does not get.
"""

from __future__ import annotations

from enum import StrEnum

from chalicelib import addresses, metrics
from chalicelib.auth import throttle
from chalicelib.auth.users import User
from chalicelib.settings import HOUR, get_settings


class MailKind(StrEnum):
    """The kinds of email, each with its own hourly cap per address."""

    VERIFY = "verify"  # the owner's own confirmation link
    CHANGE = "change"  # a link another account asked to send here, to move to this address
    RESET = "reset"
    NOTICE = "notice"  # "a change of your address was requested"


def cap(kind: MailKind) -> int:
    """How many emails of `kind` one address may receive per hour (settings)."""
    settings = get_settings()
    return {
        MailKind.VERIFY: settings.verify_emails_per_hour,
        MailKind.CHANGE: settings.verify_emails_per_hour,
        MailKind.RESET: settings.reset_emails_per_hour,
        MailKind.NOTICE: settings.notice_emails_per_hour,
    }[kind]


def allow(kind: MailKind, address: str) -> bool:
    """Count one email of `kind` for `address` and say whether it may go out.

    Callers check every other cap first: only a request that would otherwise be mailed
    is counted here. Notices go through allow_notice, which also asks who may get them.
    """
    # The reset scope keeps the name request_reset gave it before the other kinds existed.
    scope = "reset-address" if kind is MailKind.RESET else f"mail-{kind.value}"
    if throttle.hit(scope, addresses.canonical(address), HOUR) <= cap(kind):
        return True
    metrics.note(metrics.Metric.EMAIL_FAILED, metrics.Failure.CAPPED)
    return False


def allow_notice(user: User) -> bool:
    """Count one capped notice for the account's address, if verified, and say whether it
    may go out. An unverified address gets no notice and is not counted."""
    return user.email_verified and allow(MailKind.NOTICE, user.email)
