"""Sentences the web layer says in more than one place, each written once.

A page and the JSON API often answer the same outcome: the page translates the sentence
(marked with N_), the API sends its English (a marked sentence is a plain str in English).
"""

from __future__ import annotations

from chalicelib.auth.tokens import Purpose
from chalicelib.errors import InvalidTokenError
from chalicelib.i18n import N_

# Outcomes both the API and a page (as a flash message) announce.
PASSWORD_RESET = N_("Your password has been reset.")
EMAIL_CONFIRMED = N_("Your email address is confirmed.")
VERIFICATION_SENT = N_("We sent a new link to your email address.")
VERIFICATION_CAPPED = N_(
    "We have sent several links to your email address in the last hour: use one of them, "
    "or ask again later."
)
ALREADY_CONFIRMED = N_("Your email address is already confirmed.")
EMAIL_CHANGE_REQUESTED = N_("Check the new address for a link that confirms the change.")

# The page a confirmation link opens, whether the link works or not.
CONFIRM_TITLE = N_("Confirm Email Address")
SECURE_TITLE = N_("Secure Your Account")  # a security notice's "this wasn't me" link

# What a person is told when a token of each purpose fails: the reason stays on our side.
TOKEN_FAILURES = {
    Purpose.RESET_PASSWORD.value: N_("The reset link is invalid or has expired."),
    Purpose.VERIFY_EMAIL.value: N_("The confirmation link is invalid, used or has expired."),
    Purpose.SECURE_ACCOUNT.value: N_("This link is invalid, used or has expired."),
}
TOKEN_FAILURE = N_("The token is invalid or has expired.")


def resent(sent: bool, already_confirmed: bool) -> str:
    """What "send the link again" did, said plainly to the account's owner."""
    if already_confirmed:
        return ALREADY_CONFIRMED
    return VERIFICATION_SENT if sent else VERIFICATION_CAPPED


def token_failure(exc: InvalidTokenError) -> str:
    """The words for a failed token, after what it was presented for."""
    return TOKEN_FAILURES.get(exc.purpose, TOKEN_FAILURE)
