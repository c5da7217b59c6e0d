"""HTML pages about the email address: confirm a link, send a new one, move to another."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import links
from chalicelib.auth import accounts, verification
from chalicelib.errors import (
    AddressTakenError,
    AuthenticationError,
    InvalidTokenError,
    ValidationError,
)
from chalicelib.i18n import N_
from chalicelib.web.context import PageRequest, with_form
from chalicelib.web.http import FORM_TYPE, token_failure
from chalicelib.web.pages import NOT_CURRENT_PASSWORD, any_visitor, logged_in_only

email_pages = Blueprint(__name__)

CHANGE_TITLE = N_("Change Email Address")
CONFIRM_TITLE = N_("Confirm Email Address")
TOKEN_PATH = f"{links.VERIFY_EMAIL}/{{token}}"


def _dead_link(page: PageRequest, message: str, status: int = 400) -> Response:
    """Never a raw error: what happened, and (logged in) a button for a new link."""
    return page.page(
        "verify_email_invalid.html",
        status=status,
        token_page=True,
        title=CONFIRM_TITLE,
        message=message,
    )


@email_pages.route(TOKEN_PATH, methods=["GET"])
@any_visitor
def verify_email_form(page: PageRequest, token: str) -> Response:
    # GET never confirms: mail scanners open links. It shows one button that does.
    try:
        address = verification.check_link(token)
    except InvalidTokenError as exc:
        return _dead_link(page, token_failure(exc))
    return page.page("verify_email.html", token_page=True, title=CONFIRM_TITLE, address=address)


@email_pages.route(TOKEN_PATH, methods=["POST"], content_types=[FORM_TYPE])
@any_visitor
@with_form
def verify_email(page: PageRequest, form: dict[str, str], token: str) -> Response:
    try:
        verification.confirm(token)
    except InvalidTokenError as exc:
        return _dead_link(page, token_failure(exc))
    except AddressTakenError as exc:
        return _dead_link(page, exc.message, status=409)
    # A new address ends every earlier session, this browser's too: then it logs in again.
    return page.redirect("/" if page.user() else "/login", flash="email_confirmed")


@email_pages.route(links.VERIFY_EMAIL, methods=["POST"], content_types=[FORM_TYPE])
@logged_in_only
@with_form
def resend_verification(page: PageRequest, form: dict[str, str]) -> Response:
    user = page.user()
    assert user is not None
    accounts.request_verification(user)
    return page.redirect("/", flash="verification_sent")


@email_pages.route("/change_email", methods=["GET"])
@logged_in_only
def change_email_form(page: PageRequest) -> Response:
    return page.page("change_email.html", title=CHANGE_TITLE, form={}, errors={})


@email_pages.route("/change_email", methods=["POST"], content_types=[FORM_TYPE])
@logged_in_only
@with_form
def change_email(page: PageRequest, form: dict[str, str]) -> Response:
    user = page.user()
    assert user is not None
    try:
        accounts.request_email_change(user, form.get("password", ""), form.get("email", ""))
    except AuthenticationError:
        errors = {"password": NOT_CURRENT_PASSWORD}
        return page.page(
            "change_email.html", status=400, title=CHANGE_TITLE, form=form, errors=errors
        )
    except ValidationError as exc:
        errors = {exc.field or "email": exc.message}
        return page.page(
            "change_email.html", status=400, title=CHANGE_TITLE, form=form, errors=errors
        )
    return page.redirect("/", flash="email_change_requested")
