"""Driving a browser tab to each page and state the look tests check (tests/web/test_look.py),
in English and, through the switcher at the foot of every page, in Spanish."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from playwright.sync_api import Page

from tests.helpers import devstack
from tests.helpers.web import VERIFY

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "tr0ub4dor & 3 new horses"
LONG_ADDRESS = "alexandra.montgomery-whitfield@correspondence.example.org"


def long_address(username: str) -> str:
    """An address long enough to wrap on a phone, one per account."""
    return f"{username}.montgomery-whitfield@correspondence.example.org"


def fill(tab: Page, fields: dict[str, str], button: str) -> None:
    for name, value in fields.items():
        tab.locator(f"input[name='{name}']").fill(value)
    tab.get_by_role("button", name=button).click()


def register(tab: Page, username: str, email: str = "") -> None:
    tab.goto("/register")
    fields = {"username": username, "email": email or f"{username}@example.com"}
    fill(tab, {**fields, "password": PASSWORD, "password2": PASSWORD}, "Register")


def signed_in(tab: Page, username: str, email: str = "") -> None:
    """A new account, signed in, on its home page."""
    register(tab, username, email)
    fill(tab, {"username": username, "password": PASSWORD}, "Sign In")


def spanish(tab: Page) -> None:
    """Switch this page to Spanish with the switcher (stored on a signed-in account)."""
    tab.get_by_role("button", name="Español").click()
    tab.locator("html[lang='es']").wait_for()


def expired(tab: Page, fields: dict[str, str], button: str) -> None:
    """Submit a form after its CSRF cookie is gone: it comes back as typed."""
    for name, value in fields.items():
        tab.locator(f"input[name='{name}']").fill(value)
    tab.context.clear_cookies(name="csrf")
    tab.get_by_role("button", name=button).click()


def mail_to(stack: devstack.DevStack, before: set[Path], address: str) -> EmailMessage:
    """The first email to `address` in the outbox that was not in `before` (another state's
    late mail may land between)."""
    while True:
        path = stack.wait_for_email(before)
        message = devstack.read_email(path)
        if message["To"] == address:
            return message
        before = before | {path}


def confirmed(tab: Page, stack: devstack.DevStack, username: str) -> None:
    """A new account, signed in, its address confirmed with the link it was mailed (security
    notices go only to a confirmed address)."""
    before = stack.emails()
    signed_in(tab, username)
    tab.goto(devstack.link(mail_to(stack, before, f"{username}@example.com"), VERIFY))
    tab.get_by_role("button", name="Confirm").click()
    tab.get_by_role("status").wait_for()


def password_notice(tab: Page, stack: devstack.DevStack, address: str, button: str) -> EmailMessage:
    """Change the password on the signed-in account of `address`; the notice mailed to it."""
    before = stack.emails()
    tab.goto("/change_password")
    fields = {"current_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    fill(tab, fields, button)
    return mail_to(stack, before, address)


def not_me_link(notice: EmailMessage) -> str:
    """A security notice's "this wasn't me" link."""
    return devstack.link(notice, SECURE)


def delete_errors(tab: Page, button: str) -> None:
    """The deletion form sent with a wrong password and without DELETE typed."""
    tab.goto("/delete_account")
    fill(tab, {"password": "not my password", "confirm": "delete"}, button)
    tab.locator("#confirm-error").wait_for()


SECURE = "secure_account"
REGISTRATION = {"username": "margaret", "email": LONG_ADDRESS, "password": "x"}

STATES: dict[str, Callable[[Page], object]] = {
    "login": lambda tab: tab.goto("/login"),
    "login-error": lambda tab: (
        tab.goto("/login"),
        fill(tab, {"username": "nobody", "password": "wrong password"}, "Sign In"),
    ),
    "register": lambda tab: tab.goto("/register"),
    "register-errors": lambda tab: (
        tab.goto("/register"),
        fill(
            tab,
            {
                "username": "x!",
                "email": "x@example.com",
                "password": "password123",
                "password2": "password124",
            },
            "Register",
        ),
    ),
    "reset-request": lambda tab: tab.goto("/reset_password_request"),
    "after-reset-request": lambda tab: (
        tab.goto("/reset_password_request"),
        fill(tab, {"email": LONG_ADDRESS}, "Request Password Reset"),
    ),
    "dead-reset-link": lambda tab: tab.goto("/reset_password/not-a-token"),
    "registered": lambda tab: register(tab, "grace"),
    "home": lambda tab: signed_in(tab, "alan", long_address("alan")),
    "resent": lambda tab: (
        signed_in(tab, "barbara"),
        tab.get_by_role("button", name="Send the link again").click(),
    ),
    "change-password-errors": lambda tab: (
        signed_in(tab, "linus"),
        tab.goto("/change_password"),
        fill(
            tab,
            {"current_password": "wrong one", "password": NEW_PASSWORD, "password2": "x" * 9},
            "Change Password",
        ),
    ),
    "logout": lambda tab: (signed_in(tab, "ken"), tab.goto("/logout")),
    "security": lambda tab: (signed_in(tab, "radia", long_address("radia")), tab.goto("/security")),
    "delete-account": lambda tab: (signed_in(tab, "hopper"), tab.goto("/delete_account")),
    "delete-account-errors": lambda tab: (
        signed_in(tab, "edsger"),
        delete_errors(tab, "Delete my account"),
    ),
    "dead-secure-link": lambda tab: tab.goto("/secure_account/not-a-token"),
    "not-found": lambda tab: tab.goto("/no/such/page"),
    "expired-form": lambda tab: (
        tab.goto("/register"),
        expired(tab, REGISTRATION, "Register"),
    ),
    # In Spanish, chosen with the switcher at the foot of every page (longer words, same fit).
    "es-login": lambda tab: (
        tab.goto("/login"),
        spanish(tab),
        tab.get_by_role("heading", name="Iniciar sesión").wait_for(),
    ),
    "es-register-errors": lambda tab: (
        tab.goto("/register"),
        spanish(tab),
        fill(
            tab,
            {"username": "x!", "email": "x@example.com", "password": "a" * 8, "password2": "b"},
            "Registrarse",
        ),
        tab.get_by_text("Las contraseñas deben coincidir.").wait_for(),
    ),
    "es-home": lambda tab: (signed_in(tab, "alonso", long_address("alonso")), spanish(tab)),
    "es-resent": lambda tab: (
        signed_in(tab, "beatriz"),
        spanish(tab),
        tab.get_by_role("button", name="Enviar el enlace otra vez").click(),
    ),
    "es-change-password-errors": lambda tab: (
        signed_in(tab, "lucia"),
        spanish(tab),
        tab.goto("/change_password"),
        fill(
            tab,
            {"current_password": "wrong one", "password": NEW_PASSWORD, "password2": "x" * 9},
            "Cambiar la contraseña",
        ),
    ),
    "es-logout": lambda tab: (signed_in(tab, "carmen"), spanish(tab), tab.goto("/logout")),
    "es-security": lambda tab: (signed_in(tab, "rosa"), spanish(tab), tab.goto("/security")),
    "es-delete-account-errors": lambda tab: (
        signed_in(tab, "elena"),
        spanish(tab),
        delete_errors(tab, "Eliminar mi cuenta"),
    ),
    "es-dead-secure-link": lambda tab: (
        tab.goto("/login"),
        spanish(tab),
        tab.goto("/secure_account/not-a-token"),
    ),
    "es-dead-reset-link": lambda tab: (
        tab.goto("/login"),
        spanish(tab),
        tab.goto("/reset_password/not-a-token"),
    ),
    "es-verify-email-dead-link": lambda tab: (
        tab.goto("/login"),
        spanish(tab),
        tab.goto("/verify_email/not-a-token"),
    ),
    "es-after-reset-request": lambda tab: (
        tab.goto("/reset_password_request"),
        spanish(tab),
        fill(tab, {"email": LONG_ADDRESS}, "Pedir un enlace para restablecerla"),
    ),
    "es-expired-form": lambda tab: (
        tab.goto("/register"),
        spanish(tab),
        expired(tab, REGISTRATION, "Registrarse"),
    ),
}

# States behind a link only an email holds: the outbox of the stack is read for it.
MAILED_STATES: dict[str, Callable[[Page, devstack.DevStack], object]] = {
    "secure-account": lambda tab, stack: (
        confirmed(tab, stack, "frances"),
        tab.goto(
            not_me_link(password_notice(tab, stack, "frances@example.com", "Change Password"))
        ),
    ),
    "es-secure-account": lambda tab, stack: (
        confirmed(tab, stack, "francisca"),
        spanish(tab),
        tab.goto(
            not_me_link(
                password_notice(tab, stack, "francisca@example.com", "Cambiar la contraseña")
            )
        ),
        tab.get_by_role("button", name="Proteger mi cuenta").wait_for(),
    ),
}
