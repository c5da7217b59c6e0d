"""Rules of the HTML forms that are about the form itself, not the account."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from chalicelib.auth import passwords
from chalicelib.auth.users import new_address, normalize_username
from chalicelib.errors import ValidationError
from chalicelib.i18n import N_

REMEMBER_ME_VALUES = frozenset({"y", "on", "true", "1"})
NOT_CURRENT_PASSWORD = N_("That is not your current password.")
DELETE_WORD = "DELETE"  # typed as it is in every language: a deliberate act, not a click
TYPE_DELETE = N_("Type DELETE (in capitals) to confirm.")


class FieldErrors(ValidationError):
    """A submitted form has fields to fix: `errors` holds each one's message, in form order."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field)
        self.errors = errors


def require_repeat(
    form: Mapping[str, str], field: str = "password", repeat: str = "password2"
) -> None:
    """The new password typed twice, the same both times (register, reset and change alike).

    The JSON API takes a password once: typing it twice only guards a form against typos.
    Raises ValidationError on the second field.
    """
    if form.get(field, "") != form.get(repeat, ""):
        raise ValidationError(N_("Passwords must match."), repeat)


def check_fields(checks: list[tuple[str, Callable[[], object]]]) -> None:
    """Run every field's check and raise FieldErrors with every failure, if there is one.

    A form shows all its errors at once; the domain still checks again (and raises the
    first) when the form is submitted clean, so the rules live in one place.
    """
    errors: dict[str, str] = {}
    for field, check in checks:
        try:
            check()
        except ValidationError as exc:
            errors.setdefault(exc.field or field, exc.message)
    if errors:
        raise FieldErrors(errors)


def with_proof(check: Callable[[], object], field: str, proves: Callable[[], bool]) -> None:
    """Run a signed-in form's `check`; when it finds errors, the owner's proof (the current
    password, in `field`) is checked too, and a wrong one is said with them, first: every
    error in one pass. A form without errors leaves the proof to the domain (checked once).

    Raises FieldErrors.
    """
    try:
        check()
    except ValidationError as exc:
        errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field or field: exc.message}
        if not proves():
            errors = {field: NOT_CURRENT_PASSWORD, **errors}
        raise FieldErrors(errors) from None


def check_registration(form: Mapping[str, str]) -> None:
    """Raises FieldErrors for every problem of a registration form."""
    username, email, password = (form.get(k, "") for k in ("username", "email", "password"))
    check_fields(
        [
            ("username", lambda: normalize_username(username)),
            ("email", lambda: new_address(email)),
            ("password", lambda: passwords.check_policy(password, username, email)),
            ("password2", lambda: require_repeat(form)),
        ]
    )


def check_new_password(form: Mapping[str, str], username: str, email: str) -> None:
    """Raises FieldErrors for every problem of a new password typed twice (reset, change)."""
    password = form.get("password", "")
    check_fields(
        [
            ("password", lambda: passwords.check_policy(password, username, email)),
            ("password2", lambda: require_repeat(form)),
        ]
    )


def check_deletion(form: Mapping[str, str]) -> None:
    """The word DELETE typed in `confirm` (the password is the domain's to prove).
    Raises FieldErrors."""

    def typed() -> None:
        if form.get("confirm", "").strip() != DELETE_WORD:
            raise ValidationError(TYPE_DELETE, "confirm")

    check_fields([("confirm", typed)])
