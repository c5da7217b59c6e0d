"""The password-reset pages: ask for a link, hear where it went, set the new password."""

from __future__ import annotations

import hashlib
import hmac
from base64 import urlsafe_b64decode, urlsafe_b64encode

from chalice.app import Blueprint, Response

from chalicelib import links
from chalicelib.auth import password_reset
from chalicelib.auth.keys import SigningKey, get_keyring
from chalicelib.errors import InvalidTokenError, ValidationError
from chalicelib.i18n import N_
from chalicelib.settings import get_settings
from chalicelib.web.context import PageRequest, with_form
from chalicelib.web.forms import new_password_errors
from chalicelib.web.http import FORM_TYPE, client_key, set_cookie
from chalicelib.web.pages import anonymous_only

reset_pages = Blueprint(__name__)

TITLE = N_("Reset Password")
SENT_TO_COOKIE = "sent_to"
SENT_TO_KEY_LABEL = "reset-sent-to"
MAX_SENT_TO = 254
SENT_PATH = f"{links.RESET_REQUEST}/sent"
TOKEN_PATH = f"{links.RESET_PASSWORD}/{{token}}"


def _sent_to_digest(key: SigningKey, payload: str) -> str:
    return hmac.new(key.derived(SENT_TO_KEY_LABEL), payload.encode(), hashlib.sha256).hexdigest()


def remember_sent_to(page: PageRequest, address: str) -> None:
    """Where the link went, as typed: signed, in this browser, for one minute."""
    payload = urlsafe_b64encode(address[:MAX_SENT_TO].encode()).decode().rstrip("=")
    signature = _sent_to_digest(get_keyring().current, payload)
    page.outgoing.append(set_cookie(SENT_TO_COOKIE, f"{payload}.{signature}", max_age=60))


def pop_sent_to(page: PageRequest) -> str | None:
    """The address the last reset request typed, if this browser's cookie is ours."""
    payload, _, signature = page.cookies.get(SENT_TO_COOKIE, "").partition(".")
    if not payload:
        return None
    page.outgoing.append(set_cookie(SENT_TO_COOKIE, "", max_age=0))
    if not any(
        hmac.compare_digest(_sent_to_digest(key, payload), signature)
        for key in get_keyring().accepted
    ):
        return None
    try:
        return urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None


@reset_pages.route(links.RESET_REQUEST, methods=["GET"])
@anonymous_only
def reset_password_request_form(page: PageRequest) -> Response:
    return page.page("reset_password_request.html", title=TITLE, form={}, error=None)


@reset_pages.route(links.RESET_REQUEST, methods=["POST"], content_types=[FORM_TYPE])
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
    return page.redirect(SENT_PATH)


@reset_pages.route(SENT_PATH, methods=["GET"])
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


@reset_pages.route(TOKEN_PATH, methods=["GET"])
@anonymous_only
def reset_password_form(page: PageRequest, token: str) -> Response:
    # GET never consumes the token: mail scanners open links.
    try:
        password_reset.open_link(token)
    except InvalidTokenError:
        return page.redirect(links.RESET_REQUEST, flash="invalid_link")
    return page.page("reset_password.html", token_page=True, title=TITLE, errors={})


@reset_pages.route(TOKEN_PATH, methods=["POST"], content_types=[FORM_TYPE])
@anonymous_only
@with_form
def reset_password(page: PageRequest, form: dict[str, str], token: str) -> Response:
    try:
        link = password_reset.open_link(token)  # a dead link is the first thing to say
        errors = new_password_errors(form, link.user.username, link.user.email)
        if not errors:
            link.set_password(form.get("password", ""))
    except InvalidTokenError:
        return page.redirect(links.RESET_REQUEST, flash="invalid_link")
    except ValidationError as exc:  # the domain's own check, should the form's have missed it
        errors = {exc.field or "password": exc.message}
    if errors:
        return page.page(
            "reset_password.html", status=400, token_page=True, title=TITLE, errors=errors
        )
    return page.redirect("/login", flash="password_reset")
