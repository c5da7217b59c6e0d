"""Signing in: the one password check behind every login and every proof of the current
password, and the rehash of a password hashed with other parameters than today's."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib import metrics
from chalicelib.auth import passwords, throttle
from chalicelib.auth.guards import find_by_login, login_name
from chalicelib.auth.users import stamp_of, unchanged
from chalicelib.errors import AuthenticationError
from chalicelib.i18n import N_
from chalicelib.logs import logger
from chalicelib.models import UserRecord, condition_failed
from chalicelib.settings import HOUR, get_settings

LOGIN_SCOPE = "login"
LOGIN_CLIENT_SCOPE = "login-client"
# Said to every failed login alike: an account a breach response reset has no usable password,
# and its owner must hear where the new one comes from without the answer revealing it.
LOGIN_FAILED = N_(
    "Invalid username or password. If we asked you to reset your password, "
    "check your email for the link."
)


def login_subject(user_id: str) -> str:
    """What an account's failed logins are counted under: by username and email alike."""
    return f"user:{user_id}"


def check_password(identifier: str, password: str, client: str | None = None) -> UserRecord:
    """The account whose credentials these are.

    Unknown users, wrong passwords and locked logins cost the same work (two reads, one
    counter update per account or unknown name, one per client when `client` is given, one
    argon2 verification) and fail with the same AuthenticationError. A success lifts the
    account's lock, and stores the password hashed anew when today's parameters differ from
    the stored hash's (one more write, for that login only).
    """
    settings = get_settings()
    name = login_name(identifier)
    record = find_by_login(name) if name else None
    subject = login_subject(record.user_id) if record else f"name:{name}"
    # The lock lasts LOGIN_LOCK_SECONDS after the latest failure (a sliding counter).
    attempts = throttle.hit_sliding(LOGIN_SCOPE, subject, settings.login_lock_seconds)
    locked = attempts > settings.login_max_failures
    if attempts == settings.login_max_failures + 1:
        metrics.note(metrics.Metric.LOCK_IMPOSED)
    if client is not None:
        locked |= throttle.exceeded(LOGIN_CLIENT_SCOPE, client, HOUR, settings.logins_per_ip)
    dummy = passwords.dummy_hash()  # made at the container's first login, whoever it is for
    candidate = dummy if record is None or locked else record.password_hash
    matched = passwords.verify_password(candidate, password[: passwords.MAX_LENGTH])
    if record is None or locked or not matched or len(password) > passwords.MAX_LENGTH:
        metrics.note(metrics.Metric.LOGIN_FAILED)
        raise AuthenticationError(LOGIN_FAILED)
    throttle.clear_sliding(LOGIN_SCOPE, subject)
    if client is not None:
        throttle.hit(LOGIN_CLIENT_SCOPE, client, HOUR, amount=-1)  # the cap counts failures
    if passwords.needs_rehash(record.password_hash):
        _rehash(record, password)
    return record


def lift_lock(user_id: str) -> None:
    """Forget an account's failed logins: its owner has just proved the password or mailbox."""
    throttle.clear_sliding(LOGIN_SCOPE, login_subject(user_id))


def _rehash(record: UserRecord, password: str) -> None:
    """Store the password just verified, hashed with today's parameters, keeping the stamp.

    A conditional write: only while the stored hash is the one verified and the stamp is
    unchanged, so a change that came meanwhile wins. The stamp stays as it reads (a record
    stored before stamps gets it written), so no session or token of the owner ends. Best
    effort: the login stands whatever happens, and the next one tries again.
    """
    try:
        record.update(
            actions=[
                UserRecord.password_hash.set(passwords.hash_password(password)),
                UserRecord.security_stamp.set(stamp_of(record)),
            ],
            condition=unchanged(record) & (UserRecord.password_hash == record.password_hash),
        )
    except UpdateError as exc:
        reason = "changed meanwhile" if condition_failed(exc) else exc.cause_response_code
        logger.warning("password not rehashed", user_id=record.user_id, reason=reason)
