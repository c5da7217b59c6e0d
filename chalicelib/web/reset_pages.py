"""The password-reset pages: ask for a link, hear where it went, set the new password."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.auth import password_reset
from chalicelib.errors import InvalidTokenError, ValidationError
from chalicelib.i18n import N_
from chalicelib.settings import get_settings
from chalicelib.web import signing
from chalicelib.web.context import PageRequest, with_form
from chalicelib.web.forms import new_password_errors
from chalicelib.web.http import FORM_TYPE, client_key, set_cookie
from chalicelib.web.pages import anonymous_only

reset_pages = Blueprint(__name__)

TITLE = N_("Reset Password")
SENT_TO_COOKIE = "sent_to"
SENT_TO_KEY_LABEL = "reset-sent-to"
MAX_SENT_TO = 254


def remember_sent_to(page: PageRequest, address: str) -> None:
    """Where the link went, as typed: signed, in this browser, for one minute."""
    sealed = signing.seal(SENT_TO_KEY_LABEL, address[:MAX_SENT_TO])
    page.outgoing.append(set_cookie(SENT_TO_COOKIE, sealed, max_age=60))


def pop_sent_to(page: PageRequest) -> str | None:
    """The address the last reset request typed, if this browser's cookie is ours."""
    sealed = page.cookies.get(SENT_TO_COOKIE, "")
    if not sealed:
        return None
    page.outgoing.append(set_cookie(SENT_TO_COOKIE, "", max_age=0))
    return signing.unseal(SENT_TO_KEY_LABEL, sealed)


@reset_pages.route("/reset_password_request", methods=["GET"])
@anonymous_only
def reset_password_request_form(page: PageRequest) -> Response:
    return page.page("reset_password_request.html", title=TITLE, form={}, error=None)


@reset_pages.route("/reset_password_request", methods=["POST"], content_types=[FORM_TYPE])
@anonymous_only
@with_form
def reset_password_request(page: PageRequest, form: dict[str, str]) -> Response:
    address = form.get("email", "")
    try:
        password_reset.request_reset(address, client_key(page.request))
    except ValidationError as exc:
        return page.page(
            "reset_password_request.html", status=400, title=TITLE, form=form, error=exc.message
        )
    # Known or unknown, capped or not: the same redirect to the same page.
    remember_sent_to(page, address)
    return page.redirect("/reset_password_request/sent")


@reset_pages.route("/reset_password_request/sent", methods=["GET"])
@anonymous_only
def reset_link_sent(page: PageRequest) -> Response:
    """Where the link went, how long it lives, the spam folder, when to ask again.

    It reads the same for every address: the address is the one typed (from a signed,
    short-lived cookie), never one looked up.
    """
    settings = get_settings()
    return page.page(
        "reset_sent.html",
        title=N_("Check Your Email"),
        address=pop_sent_to(page),
        minutes=max(1, settings.reset_token_ttl // 60),
        per_hour=settings.reset_emails_per_hour,
    )


@reset_pages.route("/reset_password/{token}", methods=["GET"])
@anonymous_only
def reset_password_form(page: PageRequest, token: str) -> Response:
    # GET never consumes the token: mail scanners open links.
    try:
        password_reset.check_reset_token(token)
    except InvalidTokenError:
        return page.redirect("/reset_password_request", flash="invalid_link")
    return page.page("reset_password.html", token_page=True, title=TITLE, errors={})


@reset_pages.route("/reset_password/{token}", methods=["POST"], content_types=[FORM_TYPE])
@anonymous_only
@with_form
def reset_password(page: PageRequest, form: dict[str, str], token: str) -> Response:
    try:
        record = password_reset.check_reset_token(token)  # a dead link is the first thing to say
        errors = new_password_errors(form, record.username, record.email)
        if not errors:
            password_reset.reset_with(record, form.get("password", ""))
    except InvalidTokenError:
        return page.redirect("/reset_password_request", flash="invalid_link")
    except ValidationError as exc:  # the domain's own check, should the form's have missed it
        errors = {exc.field or "password": exc.message}
    if errors:
        return page.page(
            "reset_password.html", status=400, token_page=True, title=TITLE, errors=errors
        )
    return page.redirect("/login", flash="password_reset")
