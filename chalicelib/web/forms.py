"""Rules of the HTML forms that are about the form itself, not the account."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from chalicelib.auth import passwords
from chalicelib.auth.users import new_address, normalize_username
from chalicelib.errors import ValidationError
from chalicelib.i18n import N_

REMEMBER_ME_VALUES = frozenset({"y", "on", "true", "1"})


def require_repeat(
    form: Mapping[str, str], field: str = "password", repeat: str = "password2"
) -> None:
    """The new password typed twice, the same both times (register, reset and change alike).

    The JSON API takes a password once: typing it twice only guards a form against typos.
    Raises ValidationError on the second field.
    """
    if form.get(field, "") != form.get(repeat, ""):
        raise ValidationError(N_("Passwords must match."), repeat)


def field_errors(checks: list[tuple[str, Callable[[], object]]]) -> dict[str, str]:
    """Run every field's check and keep every failure, by field, in the form's order.

    A form shows all its errors at once; the domain still checks again (and raises the
    first) when the form is submitted clean, so the rules live in one place.
    """
    errors: dict[str, str] = {}
    for field, check in checks:
        try:
            check()
        except ValidationError as exc:
            errors.setdefault(exc.field or field, exc.message)
    return errors


def registration_errors(form: Mapping[str, str]) -> dict[str, str]:
    """Every problem of a registration form (username, address, password, repeat)."""
    username, email, password = (form.get(k, "") for k in ("username", "email", "password"))
    return field_errors(
        [
            ("username", lambda: normalize_username(username)),
            ("email", lambda: new_address(email)),
            ("password", lambda: passwords.check_policy(password, username, email)),
            ("password2", lambda: require_repeat(form)),
        ]
    )


def new_password_errors(form: Mapping[str, str], username: str, email: str) -> dict[str, str]:
    """Every problem of a new password typed twice (reset and change alike)."""
    password = form.get("password", "")
    return field_errors(
        [
            ("password", lambda: passwords.check_policy(password, username, email)),
            ("password2", lambda: require_repeat(form)),
        ]
    )
