"""The password-reset pages: ask for a link, hear where it went, set the new password."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import links
from chalicelib.auth import password_reset
from chalicelib.i18n import N_
from chalicelib.settings import get_settings
from chalicelib.web import cookie_jar, signing
from chalicelib.web.forms import check_new_password
from chalicelib.web.http import FORM_TYPE, client_key, origin_of
from chalicelib.web.page import PageRequest
from chalicelib.web.page_errors import FormPage, page_errors, with_form
from chalicelib.web.pages import anonymous_only

reset_pages = Blueprint(__name__)

TITLE = N_("Reset Password")
REQUEST = FormPage("reset_password_request.html", TITLE, field="email")
RESET = FormPage("reset_password.html", TITLE, field="password", token_page=True)
SENT_TO_KEY_LABEL = "reset-sent-to"
MAX_SENT_TO = 254
SENT_PATH = f"{links.RESET_REQUEST}/sent"
TOKEN_PATH = f"{links.RESET_PASSWORD}/{{token}}"


def remember_sent_to(page: PageRequest, address: str) -> None:
    """Where the link went, as typed: signed, in this browser, for one minute."""
    sealed = signing.seal(SENT_TO_KEY_LABEL, address[:MAX_SENT_TO])
    page.cookies.set(cookie_jar.SENT_TO, sealed, max_age=60)


def pop_sent_to(page: PageRequest) -> str | None:
    """The address the last reset request typed, if this browser's cookie is ours."""
    sealed = page.cookies.get(cookie_jar.SENT_TO)
    if not sealed:
        return None
    page.cookies.clear(cookie_jar.SENT_TO)
    return signing.unseal(SENT_TO_KEY_LABEL, sealed)


@reset_pages.route(links.RESET_REQUEST, methods=["GET"])
@anonymous_only
def reset_password_request_form(page: PageRequest) -> Response:
    return REQUEST.render(page)


@reset_pages.route(links.RESET_REQUEST, methods=["POST"], content_types=[FORM_TYPE])
@anonymous_only
@with_form(REQUEST)
def reset_password_request(page: PageRequest, form: dict[str, str]) -> Response:
    address = form.get("email", "")
    password_reset.request_reset(
        address, client_key(page.request), page.device.token(), origin_of(page.request)
    )
    # Known or unknown, capped or not: the same redirect to the same page.
    remember_sent_to(page, address)
    return page.redirect(SENT_PATH)


@reset_pages.route(SENT_PATH, methods=["GET"])
@anonymous_only
def reset_link_sent(page: PageRequest) -> Response:
    """Where the link went, how long it lives, the spam folder, when to ask again.

    It reads the same for every address: the address is the one typed (from a signed,
    short-lived cookie), never one looked up.
    """
    settings = get_settings()
    return page.render(
        "reset_sent.html",
        title=N_("Check Your Email"),
        address=pop_sent_to(page),
        minutes=max(1, settings.reset_token_ttl // 60),
        per_hour=settings.reset_emails_per_hour,
    )


@reset_pages.route(TOKEN_PATH, methods=["GET"])
@anonymous_only
@page_errors(RESET)
def reset_password_form(page: PageRequest, token: str) -> Response:
    # GET never consumes the token: mail scanners open links.
    password_reset.open_link(token)
    return RESET.render(page)


@reset_pages.route(TOKEN_PATH, methods=["POST"], content_types=[FORM_TYPE])
@anonymous_only
@with_form(RESET)
def reset_password(page: PageRequest, form: dict[str, str], token: str) -> Response:
    link = password_reset.open_link(token)  # a dead link is the first thing to say
    check_new_password(form, link.user.username, link.user.email)
    user = link.set_password(form.get("password", ""), origin_of(page.request))
    page.device.trust(user)  # the link proved the mailbox
    return page.redirect("/login", flash="password_reset")
