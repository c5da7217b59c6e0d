"""Driving a browser tab to each page and state the look tests check (tests/web/test_look.py),
in English and, through the switcher at the foot of every page, in Spanish."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

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
