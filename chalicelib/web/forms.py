"""Rules of the HTML forms that are about the form itself, not the account."""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.errors import ValidationError

REMEMBER_ME_VALUES = frozenset({"y", "on", "true", "1"})


def require_repeat(
    form: Mapping[str, str], field: str = "password", repeat: str = "password2"
) -> None:
    """The new password typed twice, the same both times (register, reset and change alike).

    The JSON API takes a password once: typing it twice only guards a form against typos.
    Raises ValidationError on the second field.
    """
    if form.get(field, "") != form.get(repeat, ""):
        raise ValidationError("Passwords must match.", repeat)
