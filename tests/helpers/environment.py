"""The environment every test runs in: dummy AWS credentials and a production-like stage.

conftest.py puts it into os.environ before the first test; nothing in chalicelib reads its
settings before first use, so the order of imports does not matter.

APP_ENV=test is production but for one thing: it accepts argon2 parameters below OWASP's
minimum. Tests hash with the smallest argon2-cffi takes (a hash costs microseconds, not tens of
milliseconds); the tests that measure hashing or timing ask for production's parameters with
the `production_hashing` fixture.
"""

from __future__ import annotations

import secrets

TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "APP_ENV": "test",
    "ARGON2_TIME_COST": "1",
    "ARGON2_MEMORY_KIB": "8",
    "ARGON2_PARALLELISM": "1",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "PUBLIC_BASE_URL": "https://accounts.example.com/prod",
    "ADMINS": "no-reply@example.com,admin@example.com",
    "USERS_TABLE": "test-users",
    "STATE_TABLE": "test-state",
    "ACTIVITY_TABLE": "test-activity",
    "MAIL_QUEUE": "test-mail",
    # Mail pipeline: retries come back at once and poison reaches the DLQ in ten receives,
    # so queue drains take seconds (production: 360 s visibility, 30 s backoff base, 8).
    "MAIL_VISIBILITY_TIMEOUT": "0",
    "MAIL_RETRY_BASE_SECONDS": "0",
    "MAIL_MAX_RECEIVES": "10",
    # moto's SES quota says one email a second; the emulator takes far more.
    "MAIL_MAX_SEND_RATE": "100000",
    "POWERTOOLS_SERVICE_NAME": "microblog-test",
}

BASE_URL = TEST_ENV["PUBLIC_BASE_URL"]
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "tr0ub4dor & 3 new horses"
