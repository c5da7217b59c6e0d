"""Flash messages: a code in a short-lived cookie, its sentence shown once on the next page.

The cookie carries a code, never text, so nobody can plant words on our pages. Most say what
was done (info); a dead emailed link is a warning, as on the confirmation page
(verify_email_invalid.html): every dead link looks alike.
"""

from __future__ import annotations

from chalicelib.auth.login import SESSION_ENDED
from chalicelib.i18n import N_
from chalicelib.web import cookie_jar, wording
from chalicelib.web.cookie_jar import CookieJar

LIFETIME = 60
WARNINGS = frozenset({"invalid_link", "account_not_restored"})
FLASHES = {
    "password_reset": wording.PASSWORD_RESET,
    "invalid_link": N_(
        "That password reset link is invalid or has expired. Please request a new one."
    ),
    "registered": N_(
        "Congratulations, you are now a registered user! "
        "Please check your email for a link that confirms your address."
    ),
    "email_confirmed": wording.EMAIL_CONFIRMED,
    "verification_sent": wording.VERIFICATION_SENT,
    "verification_capped": wording.VERIFICATION_CAPPED,
    "already_confirmed": wording.ALREADY_CONFIRMED,
    "email_change_requested": wording.EMAIL_CHANGE_REQUESTED,
    "email_change_cancelled": N_("The change of your email address is cancelled."),
    "login_required": N_("Please log in to access this page."),
    "logged_out": N_("You have been logged out."),
    "password_changed": N_("Your password has been changed."),
    "session_ended": SESSION_ENDED,
    "account_secured": N_(
        "Your account is secured: everyone is signed out and your password no longer works. "
        "We sent a link to set a new one to your email address."
    ),
    "account_not_restored": N_(
        "Everyone is signed out and your password no longer works, but your email address "
        "now belongs to another account, so we could not put it back. Contact the people "
        "who run this site to recover your account."
    ),
    "account_deleted": N_("Your account is deleted."),
    "session_signed_out": N_("That session is signed out."),
    "others_signed_out": N_("Every other session is signed out."),
    "signed_out_everywhere": N_("You have been signed out everywhere. Please log in again."),
}


class Flash:
    """The message this browser is to see next, kept in a cookie until shown."""

    def __init__(self, cookies: CookieJar) -> None:
        self._cookies = cookies

    def add(self, code: str) -> None:
        """Show FLASHES[code] on the next page this browser opens."""
        self._cookies.set(cookie_jar.FLASH, code, max_age=LIFETIME)

    def pop(self) -> tuple[str, str] | None:
        """The sentence waiting to be shown and its kind ("info" or "warning"), if any; shown
        once."""
        code = self._cookies.get(cookie_jar.FLASH)
        if not code:
            return None
        self._cookies.clear(cookie_jar.FLASH)
        if code not in FLASHES:
            return None
        return FLASHES[code], "warning" if code in WARNINGS else "info"
