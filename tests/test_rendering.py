"""Every email as people read it: the text part in the order of the HTML part (the signature,
then the footer), no link run into punctuation, and subjects in sentence case."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from chalicelib.auth import address_links, notifications, password_reset
from chalicelib.rendering import breakable_address, render
from tests.helpers.language import visible_text

LINK = "https://accounts.example.com/prod/reset_password_request"
CONTEXT = {
    "user": SimpleNamespace(username="susan"),
    "username": "susan",
    "link": "https://accounts.example.com/prod/verify_email/a.b.c",
    "request_url": LINK,
    "minutes": 10,
    "hours": 24,
    "change": False,
    "changed_at": "2026-12-06 10:00 UTC",
    "requested_at": "2026-12-06 10:00 UTC",
    "new_address": "s***@example.org",
    "subject": "Subject",
    "secure_url": "https://accounts.example.com/prod/secure_account/a.b.c",
    "days": 7,
    "deleted_at": "2026-12-06 10:00 UTC",
}
EMAILS = ["reset_password", "verify_email", "password_changed", "email_change_requested"]
EMAILS += ["email_changed", "account_deleted"]
SUBJECTS = [
    password_reset.RESET_SUBJECT,
    address_links.VERIFY_SUBJECT,
    notifications.CHANGED_SUBJECT,
    notifications.EMAIL_CHANGE_SUBJECT,
    notifications.EMAIL_CHANGED_SUBJECT,
    notifications.DELETED_SUBJECT,
]
ORDER = ["Dear susan,", "Sincerely,", "The Microblog Team", "This is an automatic message"]


@pytest.mark.parametrize("name", EMAILS)
def test_the_text_part_reads_in_the_order_of_the_html_part(name: str) -> None:
    for part in (
        render(f"email/{name}.txt", **CONTEXT),
        visible_text(render(f"email/{name}.html", **CONTEXT)),
    ):
        places = [part.index(words) for words in ORDER]
        assert places == sorted(places), (name, part)


@pytest.mark.parametrize("name", EMAILS)
def test_no_link_is_run_into_punctuation(name: str) -> None:
    text = render(f"email/{name}.txt", **CONTEXT)
    assert re.findall(r"https?://\S*[:;,.]($|\s)", text) == []


@pytest.mark.parametrize("subject", SUBJECTS)
def test_subjects_are_in_sentence_case_after_the_sites_name(subject: str) -> None:
    site, _, words = str(subject).partition("] ")
    assert site == "[%(site)s"
    first, *rest = words.split()
    assert first[0].isupper()
    assert all(word.islower() for word in rest), subject


def test_an_address_is_escaped_before_it_is_made_breakable() -> None:
    shown = breakable_address('"<b>x"@exa.mple')
    assert str(shown) == ('<span class="address">&#34;&lt;b&gt;x&#34;@<wbr>exa.<wbr>mple</span>')
