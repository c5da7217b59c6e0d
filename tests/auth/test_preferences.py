"""An account's language: stored at registration, changed by its owner, and the one every
email to it is written in."""

from __future__ import annotations

import pytest

from chalicelib.auth import (
    accounts,
    address_links,
    email_change,
    password_reset,
    preferences,
    users,
    verification,
)
from chalicelib.errors import ValidationError
from chalicelib.models import USER_PREFIX, UserRecord
from tests.helpers.accounts import SESSION, verify_address
from tests.helpers.environment import NEW_PASSWORD, PASSWORD
from tests.helpers.inbox import VERIFY, drain_queue, sent_mail, settle_mail, subject_of, token_from
from tests.helpers.language import english_left_in

ENGLISH_SUBJECTS = {
    accounts.notifications.CHANGED_SUBJECT,
    accounts.notifications.EMAIL_CHANGE_SUBJECT,
    accounts.notifications.EMAIL_CHANGED_SUBJECT,
    password_reset.RESET_SUBJECT,
    address_links.VERIFY_SUBJECT,
}


def _stored_locale(user: users.User) -> str | None:
    return UserRecord.get(USER_PREFIX + user.id, consistent_read=True).locale


def test_registration_stores_the_language_it_was_made_in() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD, locale="es-MX")
    assert user.locale == "es"
    assert _stored_locale(user) == "es"


def test_an_account_stored_without_a_language_reads_as_english() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    record = UserRecord.get(USER_PREFIX + user.id)
    record.update(actions=[UserRecord.locale.remove()])
    assert users.User.from_record(UserRecord.get(USER_PREFIX + user.id)).locale == "en"


def test_the_owner_changes_the_language_and_nothing_else() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    before = UserRecord.get(USER_PREFIX + user.id).attribute_values
    changed = preferences.set_locale(user, "es")
    after = UserRecord.get(USER_PREFIX + user.id).attribute_values
    assert changed.locale == "es"
    assert {key: value for key, value in after.items() if key != "locale"} == {
        key: value for key, value in before.items() if key != "locale"
    }
    assert after["locale"] == "es"


@pytest.mark.parametrize("locale", ["xx", "", "english", "es\x00"])
def test_a_language_we_do_not_speak_is_refused_and_changes_nothing(locale: str) -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    with pytest.raises(ValidationError) as refused:
        preferences.set_locale(user, locale)
    assert refused.value.field == "locale"
    assert _stored_locale(user) == "en"


def test_every_email_to_a_spanish_account_is_all_spanish() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD, locale="es")
    drain_queue()
    user = verify_address(user)
    password_reset.request_reset("susan@example.com", "192.0.2.1")
    drain_queue()
    user = accounts.change_password(user, PASSWORD, NEW_PASSWORD, SESSION)
    email_change.request_change(user, NEW_PASSWORD, "susan@new.example", SESSION)
    drain_queue()
    change_link = next(m for m in sent_mail() if "susan@new.example" in m.destinations)
    verification.confirm(token_from(change_link, VERIFY))
    drain_queue()
    mails = sent_mail()
    subjects = {subject_of(mail) for mail in mails}
    assert len(subjects) == 5  # verify, reset, password changed, change asked, address changed
    assert not subjects & ENGLISH_SUBJECTS
    for mail in mails:
        for part in ("plain", "html"):
            assert english_left_in(mail.part(part)) == [], (subject_of(mail), part)
        assert '<html lang="es">' in mail.part("html")


def test_an_english_account_still_gets_english_email() -> None:
    accounts.register("susan", "susan@example.com", PASSWORD, locale="en")
    drain_queue()
    (mail,) = sent_mail()
    assert subject_of(mail) == "[Microblog] Confirm your email address"
    assert "To confirm the email address of your Microblog account" in mail.part("plain")
    settle_mail()


def test_choosing_a_language_for_a_deleted_account_writes_nothing() -> None:
    user = accounts.register("susan", "susan@example.com", PASSWORD)
    UserRecord.get(USER_PREFIX + user.id).delete()
    preferences.set_locale(user, "es")
    assert users.load_record(user.id) is None
