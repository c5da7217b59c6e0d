"""Uniqueness guards: where an account's address and username are claimed, and finding an
account by them.

An address's guard is keyed by its canonical form (chalicelib.addresses). Accounts stored
before canonical addresses keep their guard where it was written then: `email#` + the address
as normalised then (Unicode domain) casefolded. For every all-ASCII address that is the same
key; it differs only for international domains, so only their lookups also ask for the old key,
in the same call (a BatchGetItem instead of a GetItem, whatever the answer, so known and unknown
addresses still cost the same). An account found under a key is the answer only if its own
canonical address is the one asked for: the old key of `x@glaß.de` is `email#x@glass.de`,
which is `x@glass.de`'s key too, and neither may ever find the other.

Old keys are never written again (a change of address writes the canonical key, and the
account's record its canonical address); they only go away.
"""

from __future__ import annotations

import idna

from chalicelib import addresses
from chalicelib.auth.users import MAX_EMAIL_LENGTH, address_of, canonical_address, load_record
from chalicelib.errors import ValidationError
from chalicelib.models import EMAIL_PREFIX, USERNAME_PREFIX, Guard, Items, UserRecord, read_many

# Looked up when a guard names no user, so unknown and known users cost the same reads.
NO_USER_ID = "none"


def email_key(address: str) -> str:
    """The uniqueness guard's key of an address (any spelling): its canonical form."""
    return EMAIL_PREFIX + addresses.canonical(address)


def username_key(username: str) -> str:
    """The uniqueness guard's key of a username (compared case-insensitively)."""
    return USERNAME_PREFIX + username.casefold()


def legacy_email_key(address: str) -> str | None:
    """The key an account stored before canonical addresses has its guard under, where that
    differs from today's (an international domain); None for every all-ASCII address."""
    local, _, domain = addresses.canonical(address).rpartition("@")
    try:
        as_stored = f"{local}@{idna.decode(domain)}"
    except idna.IDNAError:
        return None
    key = EMAIL_PREFIX + as_stored.casefold()
    return None if key == email_key(address) else key


def email_keys(address: str) -> list[str]:
    """The keys an address's guard may be under: today's, then (if it differs) the old one."""
    legacy = legacy_email_key(address)
    return [email_key(address)] if legacy is None else [email_key(address), legacy]


def guard_key_of(record: UserRecord) -> str:
    """Where this account's address guard is: today's key, or the old one for a record stored
    before canonical addresses (no `canonical_email`)."""
    if record.canonical_email:
        return email_key(record.canonical_email)
    return legacy_email_key(record.email) or email_key(record.email)


def user_id_among(found: Items, keys: list[str]) -> str | None:
    """The user the first of `keys` found names (today's key before the old one)."""
    for key in keys:
        guard = found.get(Guard, key)
        if guard is not None:
            return guard.user_id
    return None


def holds(record: UserRecord | None, address: str) -> UserRecord | None:
    """`record`, if it is the account of `address` (a guard found by key may name another)."""
    if record is None or address_of(record) != addresses.canonical(address):
        return None
    return record


def find_by_email(address: str) -> UserRecord | None:
    """The account with this address (any spelling), or None.

    Two reads whatever the answer: the guard (under both keys, in one BatchGetItem, where an
    old key may hold it), then the account it names, or an id no account has.
    """
    keys = email_keys(address)
    if len(keys) == 1:
        try:
            user_id: str | None = Guard.get(keys[0], consistent_read=True).user_id
        except Guard.DoesNotExist:
            user_id = None
    else:
        user_id = user_id_among(read_many([(Guard, key) for key in keys]), keys)
    return holds(load_record(user_id or NO_USER_ID), address)


def login_name(identifier: str) -> str:
    """What a login is looked up and counted by: an address in canonical form (anything with
    an @; what is no valid address is only lowercased), else a username casefolded."""
    typed = identifier.strip()[:MAX_EMAIL_LENGTH]
    if "@" not in typed:
        return typed.casefold()
    try:
        return canonical_address(typed)
    except ValidationError:
        return addresses.canonical(typed)


def find_by_login(name: str) -> UserRecord | None:
    """The account for a login_name (an address or a username), or None."""
    if "@" in name:
        return find_by_email(name)
    try:
        user_id = Guard.get(username_key(name), consistent_read=True).user_id
    except Guard.DoesNotExist:
        user_id = NO_USER_ID
    return load_record(user_id)


def held_the_old_way(address: str, user_id: str) -> bool:
    """Whether another account stored before canonical addresses holds `address` under its
    old key (a claim of the canonical key alone would not see it).

    Read before the claim, which is no check-then-write race: an old key is never written
    again, so what this reads can only go away. Free for an all-ASCII address (no old key);
    one or two reads for an international one.
    """
    legacy = legacy_email_key(address)
    if legacy is None:
        return False
    try:
        holder = Guard.get(legacy, consistent_read=True).user_id
    except Guard.DoesNotExist:
        return False
    record = holds(load_record(holder), address) if holder != user_id else None
    return record is not None and not record.canonical_email
