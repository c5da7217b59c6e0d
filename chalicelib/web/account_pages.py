"""The owner's control pages: a notice's "this wasn't me" link, and deleting the account."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import links
from chalicelib.auth import deletion, not_me
from chalicelib.auth.login import is_current_password
from chalicelib.i18n import N_
from chalicelib.settings import get_settings
from chalicelib.web.forms import DELETE_WORD, check_deletion, with_proof
from chalicelib.web.http import FORM_TYPE, origin_of
from chalicelib.web.page import PageRequest
from chalicelib.web.page_errors import FormPage, page_errors, with_form
from chalicelib.web.pages import any_visitor, logged_in_only
from chalicelib.web.wording import SECURE_TITLE

account_pages = Blueprint(__name__)

TOKEN_PATH = f"{links.SECURE_ACCOUNT}/{{token}}"
DELETE_PATH = "/delete_account"
DELETE = FormPage(
    "delete_account.html", N_("Delete Account"), field="confirm", proof_field="password"
)


@account_pages.route(TOKEN_PATH, methods=["GET"])
@any_visitor
@page_errors()
def secure_account_form(page: PageRequest, token: str) -> Response:
    """What the link will do, and one button: GET changes nothing (mail scanners open links)."""
    link = not_me.open_link(token)
    return page.render(
        "secure_account.html",
        token_page=True,
        title=SECURE_TITLE,
        cancel_only=link.cancel_only,
        days=get_settings().owner.secure_link_ttl_days,
    )


@account_pages.route(TOKEN_PATH, methods=["POST"], content_types=[FORM_TYPE])
@any_visitor
@with_form()
def secure_account(page: PageRequest, form: dict[str, str], token: str) -> Response:
    done = not_me.secure(token, origin_of(page.request))
    if done.cancel_only:
        home = "/" if page.session.user() else "/login"
        return page.redirect(home, flash="email_change_cancelled")
    page.session.log_out()  # every session ended, this browser's too
    return page.redirect(
        "/login", flash="account_not_restored" if done.address_lost else "account_secured"
    )


@account_pages.route(DELETE_PATH, methods=["GET"])
@logged_in_only
def delete_account_form(page: PageRequest) -> Response:
    return DELETE.render(page, word=DELETE_WORD)


@account_pages.route(DELETE_PATH, methods=["POST"], content_types=[FORM_TYPE])
@logged_in_only
@with_form(DELETE)
def delete_account(page: PageRequest, form: dict[str, str]) -> Response:
    user = page.session.user()
    assert user is not None
    password, session = form.get("password", ""), page.session.id()
    with_proof(
        lambda: check_deletion(form),
        "password",
        lambda: is_current_password(user, password, session, origin_of(page.request)),
    )
    deletion.delete_account(user, password, session, origin_of(page.request))
    page.session.log_out()
    return page.redirect("/login", flash="account_deleted")
