"""Signing in: the one password check behind every login and every proof of the current
password, the locks that bound guessing, and the rehash of a password hashed with other
parameters than today's.

Who guesses decides which count a failure spends:
- strangers (any client that is not a trusted device of the account) share the account's
  lock (LOGIN_MAX_FAILURES, then a pause until LOGIN_LOCK_SECONDS after the last failure) and
  their client's hourly cap (LOGINS_PER_IP_PER_HOUR, checked before argon2id runs);
- a trusted device of the account (auth/devices.py) has a count of its own: strangers' locks
  never stop it, and its success never lifts theirs; past LOGIN_MAX_FAILURES failures it is a
  stranger until its next successful login;
- a signed-in session proving its password (prove_password) is counted per session.
"""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib import metrics
from chalicelib.auth import activity, passwords, sign_out, throttle
from chalicelib.auth.activity import EventKind, Origin
from chalicelib.auth.devices import Device
from chalicelib.auth.guards import find_by_login, login_name
from chalicelib.auth.users import User, load_record, stamp_of, unchanged
from chalicelib.errors import AuthenticationError, SessionEndedError
from chalicelib.i18n import N_
from chalicelib.logs import logger
from chalicelib.models import UserRecord, condition_failed
from chalicelib.settings import HOUR, get_settings

LOGIN_SCOPE = "login"  # strangers' failures, per account (or unknown name)
LOGIN_CLIENT_SCOPE = "login-client"  # strangers' failures, per client
DEVICE_SCOPE = "login-device"  # a trusted device's own failures
PROOF_SCOPE = "password-proof"  # a signed-in session's wrong passwords
SESSION_PASSWORD_FAILURES = 5  # per session and hour; the last one ends the session
# Said to every failed login alike: an account a breach response reset has no usable password,
# and its owner must hear where the new one comes from without the answer revealing it.
LOGIN_FAILED = N_(
    "Invalid username or password. If we asked you to reset your password, "
    "check your email for the link."
)
SESSION_ENDED = N_("Too many wrong passwords. Please log in again.")


def login_subject(user_id: str) -> str:
    """What an account's failed logins are counted under: by username and email alike."""
    return f"user:{user_id}"


def check_password(
    identifier: str,
    password: str,
    client: str | None = None,
    device: Device | None = None,
    origin: Origin = Origin(),
) -> UserRecord:
    """The account whose credentials these are.

    Two reads (the name's guard, the account) come first, to tell whether `device` is a
    trusted device of the account (same id and stamp, within its own count). A trusted device
    counts on its own counter. Anyone else: the client's cap (when `client` is given) refuses
    at once, before any argon2 verification; then the account's (or unknown name's) lock,
    and one argon2 verification (of a dummy hash when unknown or locked), so unknown users,
    wrong passwords and locked logins cost the same work and fail with the same
    AuthenticationError. A stranger's success lifts the account's lock; any success stores
    the password hashed anew when today's parameters differ from the stored hash's.
    An existing account's events come from `origin`: the failure that imposes its lock is
    recorded as `locked` (once), every other checked failure as `sign_in_failed`; an unknown
    name records nothing and costs nothing more (and a client over its cap is refused before
    any password is checked, so its flood writes no events either).
    """
    settings = get_settings()
    name = login_name(identifier)
    record = find_by_login(name) if name else None
    own = device if record is not None and device and device.belongs_to(record) else None
    if record is not None and own is not None and _within_own_count(own):
        _verify_recorded(record, record.password_hash, password, EventKind.SIGN_IN_FAILED, origin)
        throttle.clear_sliding(DEVICE_SCOPE, own.subject)  # strangers' lock stays as it is
        return _signed_in(record, password)
    if client is not None and throttle.exceeded(
        LOGIN_CLIENT_SCOPE, client, HOUR, settings.logins_per_ip
    ):
        metrics.note(metrics.Metric.LOGIN_FAILED)
        raise AuthenticationError(LOGIN_FAILED)  # before argon2 runs: a flood costs no hashing
    subject = login_subject(record.user_id) if record else f"name:{name}"
    # The lock lasts LOGIN_LOCK_SECONDS after the latest failure (a sliding counter).
    attempts = throttle.hit_sliding(LOGIN_SCOPE, subject, settings.login_lock_seconds)
    locked = attempts > settings.login_max_failures
    imposed = attempts == settings.login_max_failures + 1
    if imposed:
        metrics.note(metrics.Metric.LOCK_IMPOSED)
    if record is None:
        _verify(None, password)
    assert record is not None  # _verify refused an unknown user
    kind = EventKind.LOCKED if imposed else EventKind.SIGN_IN_FAILED
    _verify_recorded(record, None if locked else record.password_hash, password, kind, origin)
    throttle.clear_sliding(LOGIN_SCOPE, subject)
    if client is not None:
        throttle.hit(LOGIN_CLIENT_SCOPE, client, HOUR, amount=-1)  # the cap counts failures
    if device is not None and device.user_id == record.user_id:
        throttle.clear_sliding(DEVICE_SCOPE, device.subject)  # its device is trusted again
    return _signed_in(record, password)


def _within_own_count(device: Device) -> bool:
    """Count one attempt of a trusted device; it stays trusted while within its own count
    (failures are remembered for the device's whole lifetime, until it signs in)."""
    settings = get_settings()
    attempts = throttle.hit_sliding(DEVICE_SCOPE, device.subject, settings.device_ttl)
    return attempts <= settings.login_max_failures


def prove_password(
    user: User, password: str, session: str, origin: Origin = Origin()
) -> UserRecord:
    """The signed-in account's record, once `password` proves to be its current password.

    For a session that has signed in already (changing the password or the address, deleting
    the account): no lock strangers caused applies. Its wrong passwords count per session
    instead, under a keyed digest of the session's id (`session`): the
    SESSION_PASSWORD_FAILURES-th within an hour ends the session (its stored item goes, so its
    cookie or tokens stop working at once), and a session past that count is refused before
    argon2 runs. A success takes its own count back.
    Raises AuthenticationError (a wrong password) or SessionEndedError (sign in again).
    """
    attempts = throttle.hit(PROOF_SCOPE, session, HOUR)
    if attempts > SESSION_PASSWORD_FAILURES:
        raise SessionEndedError(SESSION_ENDED)
    record = load_record(user.id)
    try:
        _verify(record.password_hash if record else None, password)
    except AuthenticationError:
        if attempts >= SESSION_PASSWORD_FAILURES:
            sign_out.end_current(user.id, session, origin)
            raise SessionEndedError(SESSION_ENDED) from None
        raise
    assert record is not None
    throttle.hit(PROOF_SCOPE, session, HOUR, amount=-1)  # the count is of wrong passwords
    return _signed_in(record, password)


def is_current_password(user: User, password: str, session: str, origin: Origin = Origin()) -> bool:
    """prove_password as a yes or no, for a form that says every error at once: a wrong
    password still counts for the session. Raises SessionEndedError (sign in again)."""
    try:
        prove_password(user, password, session, origin)
    except SessionEndedError:
        raise
    except AuthenticationError:
        return False
    return True


def _verify(password_hash: str | None, password: str) -> None:
    """One argon2 verification, of the dummy hash when there is nothing to verify against;
    raises AuthenticationError unless the password matches `password_hash`."""
    dummy = passwords.dummy_hash()  # made at the container's first login, whoever it is for
    matched = passwords.verify_password(password_hash or dummy, password[: passwords.MAX_LENGTH])
    if password_hash is None or not matched or len(password) > passwords.MAX_LENGTH:
        metrics.note(metrics.Metric.LOGIN_FAILED)
        raise AuthenticationError(LOGIN_FAILED)


def _verify_recorded(
    record: UserRecord, password_hash: str | None, password: str, kind: EventKind, origin: Origin
) -> None:
    """_verify for an existing account, its failure recorded as `kind` (after the same work
    as any failure: the answer and the argon2 time stay as they are)."""
    try:
        _verify(password_hash, password)
    except AuthenticationError:
        activity.record(record.user_id, kind, origin)
        raise


def _signed_in(record: UserRecord, password: str) -> UserRecord:
    if passwords.needs_rehash(record.password_hash):
        _rehash(record, password)
    return record


def lift_lock(user_id: str, origin: Origin = Origin()) -> None:
    """Forget strangers' failed logins: the owner has just proved the password or mailbox.
    A lock in force that this lifts is recorded (`unlocked`); a lapsed one is not."""
    held = throttle.clear_sliding(LOGIN_SCOPE, login_subject(user_id))
    if held > get_settings().login_max_failures:
        activity.record(user_id, EventKind.UNLOCKED, origin)


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
