"""Mail settings: Flask-Mail's names for SMTP, the pipeline's knobs, the password kept secret."""

from __future__ import annotations

import logging

import pytest

from chalicelib.errors import ConfigError
from chalicelib.settings import load_settings

BASE = {
    "APP_ENV": "development",
    "SECRET_KEY": "dev-only",
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    "ADMINS": "no-reply@example.com",
    "MAIL_QUEUE": "q",
}


def test_defaults_are_ses_with_the_pipeline_defaults() -> None:
    mail = load_settings(BASE).mail
    assert (mail.transport, mail.sender_name, mail.configuration_set) == ("ses", "Microblog", "")
    assert (mail.dlq_name, mail.events_topic) == ("q-dlq", "q-events")
    assert (mail.max_receives, mail.visibility_timeout, mail.lease_seconds) == (8, 360, 120)
    assert (mail.retry_base_seconds, mail.retry_max_seconds) == (30, 900)
    assert mail.lease_seconds < mail.visibility_timeout


def test_smtp_with_flask_mail_names() -> None:
    mail = load_settings(
        {
            **BASE,
            "MAIL_TRANSPORT": "smtp",
            "MAIL_SERVER": "smtp.googlemail.com",
            "MAIL_PORT": "587",
            "MAIL_USE_TLS": "1",
            "MAIL_USERNAME": "me@gmail.com",
            "MAIL_PASSWORD": "app-password-123",
            "MAIL_SENDER_NAME": "Microblog Team",
            "SES_CONFIGURATION_SET": "ignored-by-smtp",
        }
    ).mail
    assert (mail.transport, mail.server, mail.port, mail.use_tls, mail.use_ssl) == (
        "smtp",
        "smtp.googlemail.com",
        587,
        True,
        False,
    )
    assert (mail.username, mail.password, mail.sender_name) == (
        "me@gmail.com",
        "app-password-123",
        "Microblog Team",
    )


def test_the_password_never_shows_in_a_repr_or_a_log(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(
        {
            **BASE,
            "MAIL_SERVER": "smtp.example.com",
            "MAIL_USERNAME": "u",
            "MAIL_PASSWORD": "hunter2-secret",
        }
    )
    caplog.set_level(logging.INFO)
    logging.getLogger("test").info("settings: %r", settings)
    assert "hunter2-secret" not in repr(settings)
    assert "hunter2-secret" not in caplog.text
    assert "smtp.example.com" in repr(settings)


def test_ssl_port_defaults_to_465() -> None:
    assert load_settings({**BASE, "MAIL_USE_SSL": "true"}).mail.port == 465
    assert load_settings(BASE).mail.port == 25


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"MAIL_TRANSPORT": "carrier-pigeon"}, "MAIL_TRANSPORT"),
        ({"MAIL_TRANSPORT": "smtp"}, "MAIL_SERVER"),
        ({"MAIL_USE_TLS": "1", "MAIL_USE_SSL": "1"}, "not both"),
        ({"MAIL_USE_TLS": "maybe"}, "true or false"),
        ({"MAIL_USERNAME": "u"}, "MAIL_PASSWORD"),
        ({"MAIL_MAX_RECEIVES": "0"}, "at least 1"),
        ({"MAIL_VISIBILITY_TIMEOUT": "50000"}, "43200"),
    ],
)
def test_bad_mail_settings_fail_loudly(changes: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({**BASE, **changes})
