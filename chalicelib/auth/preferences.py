"""What an account owner chooses for themselves: the language of their pages and emails."""

from __future__ import annotations

from dataclasses import replace

from pynamodb.exceptions import UpdateError

from chalicelib.auth.users import User
from chalicelib.errors import ErrorCode, ValidationError
from chalicelib.i18n import N_, supported
from chalicelib.models import USER_PREFIX, UserRecord, condition_failed

UNKNOWN_LOCALE = N_("Choose one of the languages offered.")


def offered_locale(raw: str) -> str:
    """The language `raw` names ("es", "es-MX"), if we speak it. Raises ValidationError."""
    chosen = supported(raw)
    if chosen is None:
        raise ValidationError(UNKNOWN_LOCALE, "locale", ErrorCode.LOCALE_UNSUPPORTED)
    return chosen


def set_locale(user: User, locale: str) -> User:
    """Store `locale` as the account's language; its emails are written in it from now on.

    One conditional update of one attribute: it never rewrites the password hash or the
    address, so it cannot undo a change that raced it. A deleted account is left alone.
    Raises ValidationError (a language we do not speak).
    """
    chosen = offered_locale(locale)
    record = UserRecord(USER_PREFIX + user.id)
    try:
        record.update(
            actions=[UserRecord.locale.set(chosen)],
            condition=UserRecord.user_id == user.id,
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
    return replace(user, locale=chosen)
