"""HTML pages about the email address: confirm a link, send a new one, move to another, or
cancel the move."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import links
from chalicelib.auth import email_change, login, verification
from chalicelib.auth.users import new_address
from chalicelib.i18n import N_
from chalicelib.web.forms import with_proof
from chalicelib.web.http import FORM_TYPE, origin_of
from chalicelib.web.page import PageRequest
from chalicelib.web.page_errors import FormPage, page_errors, with_form
from chalicelib.web.pages import any_visitor, logged_in_only
from chalicelib.web.wording import CONFIRM_TITLE

email_pages = Blueprint(__name__)

CHANGE_EMAIL = FormPage(
    "change_email.html", N_("Change Email Address"), field="email", proof_field="password"
)
TOKEN_PATH = f"{links.VERIFY_EMAIL}/{{token}}"


@email_pages.route(TOKEN_PATH, methods=["GET"])
@any_visitor
@page_errors()
def verify_email_form(page: PageRequest, token: str) -> Response:
    # GET never confirms: mail scanners open links. It shows one button that does.
    address = verification.check_link(token)
    return page.render("verify_email.html", token_page=True, title=CONFIRM_TITLE, address=address)


@email_pages.route(TOKEN_PATH, methods=["POST"], content_types=[FORM_TYPE])
@any_visitor
@with_form()
def verify_email(page: PageRequest, form: dict[str, str], token: str) -> Response:
    """Confirm. A new address ends every session of the account (a fresh security stamp): the
    browser signed in to that account, the one confirming, gets a fresh session at once."""
    signed_in = page.session.user()  # read before the confirmation voids its cookie
    confirmed = verification.confirm(token, origin_of(page.request))
    page.device.trust(confirmed)  # the link proved the mailbox
    if signed_in is not None and signed_in.id == confirmed.id:
        if signed_in.stamp != confirmed.stamp:
            page.session.log_in(confirmed, remember=False)
        return page.redirect("/", flash="email_confirmed")
    return page.redirect("/" if page.session.user() else "/login", flash="email_confirmed")


@email_pages.route(links.VERIFY_EMAIL, methods=["POST"], content_types=[FORM_TYPE])
@logged_in_only
@with_form()
def resend_verification(page: PageRequest, form: dict[str, str]) -> Response:
    user = page.session.user()
    assert user is not None
    sent = verification.request_verification(user)
    outcome = "verification_sent" if sent else "verification_capped"
    return page.redirect("/", flash="already_confirmed" if user.email_verified else outcome)


@email_pages.route("/change_email", methods=["GET"])
@logged_in_only
def change_email_form(page: PageRequest) -> Response:
    return CHANGE_EMAIL.render(page)


@email_pages.route("/change_email", methods=["POST"], content_types=[FORM_TYPE])
@logged_in_only
@with_form(CHANGE_EMAIL)
def change_email(page: PageRequest, form: dict[str, str]) -> Response:
    user = page.session.user()
    assert user is not None
    with_proof(
        lambda: new_address(form.get("email", "")),
        "password",
        lambda: login.is_current_password(
            user, form.get("password", ""), page.session.id(), origin_of(page.request)
        ),
    )
    email_change.request_change(
        user,
        form.get("password", ""),
        form.get("email", ""),
        page.session.id(),
        origin_of(page.request),
    )
    return page.redirect("/", flash="email_change_requested")


@email_pages.route("/cancel_email_change", methods=["POST"], content_types=[FORM_TYPE])
@logged_in_only
@with_form()
def cancel_email_change(page: PageRequest, form: dict[str, str]) -> Response:
    """Home's button: the pending change's link dies; the address stays as it is."""
    user = page.session.user()
    assert user is not None
    email_change.cancel_change(user, origin_of(page.request))
    return page.redirect("/", flash="email_change_cancelled")
