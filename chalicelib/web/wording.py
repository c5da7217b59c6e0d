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
VERIFICATION_SENT = N_("If your address still needs confirming, a new link is on its way.")
EMAIL_CHANGE_REQUESTED = N_("Check the new address for a link that confirms the change.")

# The page a confirmation link opens, whether the link works or not.
CONFIRM_TITLE = N_("Confirm Email Address")

# What a person is told when a token of each purpose fails: the reason stays on our side.
TOKEN_FAILURES = {
    Purpose.RESET_PASSWORD.value: N_("The reset link is invalid or has expired."),
    Purpose.VERIFY_EMAIL.value: N_("The confirmation link is invalid, used or has expired."),
}
TOKEN_FAILURE = N_("The token is invalid or has expired.")


def token_failure(exc: InvalidTokenError) -> str:
    """The words for a failed token, after what it was presented for."""
    return TOKEN_FAILURES.get(exc.purpose, TOKEN_FAILURE)
