"""The owner's /security page: the account's live sessions (each but this one with its own
"Sign out"), "Sign out everywhere else", "Sign out everywhere", and its recent security
events, 50 a page, newest first, "Load more" by ?cursor=.

Every button is a POST form with its CSRF token that calls one domain function and comes
back here with a flash (signing out everywhere ends this browser's session too: to /login).
"""

from __future__ import annotations

from datetime import UTC, datetime

from chalice.app import Blueprint, Response

from chalicelib.auth import sessions, sign_out
from chalicelib.i18n import N_
from chalicelib.web.event_words import words_for
from chalicelib.web.http import FORM_TYPE, origin_of
from chalicelib.web.page import PageRequest
from chalicelib.web.page_errors import page_errors, with_form
from chalicelib.web.pages import logged_in_only

security_pages = Blueprint(__name__)

SECURITY = "/security"
TITLE = N_("Security")
KIND_WORDS = {"page": N_("Browser"), "api": N_("API client")}


def _when(seconds: float) -> str:
    """A time as its owner reads it: UTC, to the minute."""
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


@security_pages.route(SECURITY, methods=["GET"])
@logged_in_only
@page_errors()
def security(page: PageRequest) -> Response:
    user = page.session.user()
    assert user is not None
    params = page.request.query_params
    cursor = (params.get("cursor") if params else None) or None
    views, events = sessions.overview(user, page.session.id(), cursor)
    say = page.language.say
    listed = [
        {
            "id": view.id,
            "kind": say(KIND_WORDS.get(view.kind, view.kind)),
            "created": _when(view.created_at),
            "last_used": _when(view.last_used_at),
            "client": view.client,
            "user_agent": view.user_agent,
            "current": view.current,
        }
        for view in views
    ]
    happened = [
        {"when": _when(event.at / 1000), "what": say(words_for(event.kind)), "client": event.client}
        for event in events.items
    ]
    return page.render(
        "security.html",
        title=TITLE,
        sessions=listed,
        events=happened,
        next_cursor=events.next_cursor,
    )


@security_pages.route(SECURITY + "/sign_out_session", methods=["POST"], content_types=[FORM_TYPE])
@logged_in_only
@with_form()
def sign_out_session(page: PageRequest, form: dict[str, str]) -> Response:
    user = page.session.user()
    assert user is not None
    sign_out.end(user, form.get("session_id", ""), origin_of(page.request))
    return page.redirect(SECURITY, flash="session_signed_out")


@security_pages.route(SECURITY + "/sign_out_others", methods=["POST"], content_types=[FORM_TYPE])
@logged_in_only
@with_form()
def sign_out_others(page: PageRequest, form: dict[str, str]) -> Response:
    user = page.session.user()
    assert user is not None
    sign_out.end_others(user, page.session.id(), origin_of(page.request))
    return page.redirect(SECURITY, flash="others_signed_out")


@security_pages.route(
    SECURITY + "/sign_out_everywhere", methods=["POST"], content_types=[FORM_TYPE]
)
@logged_in_only
@with_form()
def sign_out_everywhere(page: PageRequest, form: dict[str, str]) -> Response:
    user = page.session.user()
    assert user is not None
    sign_out.end_all(user, origin_of(page.request))
    page.session.forget()
    return page.redirect("/login", flash="signed_out_everywhere")
