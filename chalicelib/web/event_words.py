"""What each security event says to its owner, in words: the one place they are written
(the /security page shows them translated; anything else that tells an owner of events may
read them here)."""

from __future__ import annotations

from chalicelib.auth.activity import EventKind
from chalicelib.i18n import N_

EVENT_WORDS: dict[EventKind, str] = {
    EventKind.REGISTERED: N_("The account was registered."),
    EventKind.SIGNED_IN: N_("Signed in."),
    EventKind.SIGN_IN_FAILED: N_("A sign-in failed: wrong password."),
    EventKind.RESET_REQUESTED: N_("A password reset link was requested."),
    EventKind.RESET_COMPLETED: N_("The password was reset by email link."),
    EventKind.PASSWORD_CHANGED: N_("The password was changed."),
    EventKind.VERIFICATION_CONFIRMED: N_("The email address was confirmed."),
    EventKind.ADDRESS_CHANGE_REQUESTED: N_("A change of email address was requested."),
    EventKind.ADDRESS_CHANGE_CANCELLED: N_("The change of email address was cancelled."),
    EventKind.ADDRESS_CHANGED: N_("The email address was changed."),
    EventKind.LOCKED: N_("Sign-in was locked after too many wrong passwords."),
    EventKind.UNLOCKED: N_("The sign-in lock was lifted."),
    EventKind.SESSION_ENDED: N_("A session was signed out."),
    EventKind.SIGNED_OUT_EVERYWHERE: N_("Signed out everywhere."),
    EventKind.REFRESH_TOKEN_REUSED: N_(
        "A used refresh token was presented again: its session was ended."
    ),
    EventKind.FORCED_RESET: N_("We required a password reset."),
    EventKind.NOT_ME: N_("The account was secured with a “this wasn't me” link."),
    EventKind.ACCOUNT_DELETED: N_("The account was deleted."),
}
UNKNOWN_EVENT = N_("Something else happened.")


def words_for(kind: str) -> str:
    """The sentence of an event kind (marked, not yet translated)."""
    try:
        return EVENT_WORDS[EventKind(kind)]
    except ValueError:
        return UNKNOWN_EVENT
