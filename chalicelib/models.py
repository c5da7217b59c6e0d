"""DynamoDB storage through PynamoDB: users with uniqueness guards, and counters (the mail
pipeline's records: mail/records.py; events and sessions: activity_models.py);
reading DynamoDB's answers to writes (conditions, cancellations, conflicts); one read across tables.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar

from pynamodb.attributes import BooleanAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.models import Model

from chalicelib.aws import dynamodb
from chalicelib.errors import StaleWriteError
from chalicelib.settings import get_settings

USER_PREFIX = "user#"
USERNAME_PREFIX = "username#"
EMAIL_PREFIX = "email#"


class TableName(type):
    """A PynamoDB Meta whose table name is read from Settings each time it is asked for: on
    first use, never at import (tests, benchmarks and `make dev` set the environment later)."""

    setting: str

    @property
    def table_name(cls) -> str:
        return str(attrgetter(cls.setting)(get_settings()))


class _UsersTable(metaclass=TableName):
    """PynamoDB Meta of the models kept in the users table."""

    setting = "users_table"
    region: str | None = None  # set from Settings on first use (AppModel._get_connection)


class StateTable(metaclass=TableName):
    """PynamoDB Meta of the models kept in the short-lived state table (TTL: expires_at)."""

    setting = "state_table"
    region: str | None = None


class AppModel(Model):
    """Our models' base: the region, like the table name, comes from Settings on first use.

    PynamoDB fills in a missing Meta.region when the class is made (at import), so the Metas
    above say None and it is set here, before PynamoDB builds or reuses the connection.
    """

    Meta: Any

    @classmethod
    def _get_connection(cls) -> TableConnection:
        cls.Meta.region = get_settings().region
        return super()._get_connection()


class UserRecord(AppModel):
    """An account. Key: user#<id>."""

    class Meta(_UsersTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    username = UnicodeAttribute()
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    created_at = NumberAttribute()
    password_changed_at = NumberAttribute()
    # Set once a link mailed to `email` was followed; records stored without it read as False.
    email_verified = BooleanAttribute(null=True, default=False)
    # The language of its pages and emails (i18n.LOCALES); none read as English.
    locale = UnicodeAttribute(null=True)
    # What every token carries; a fresh random value on every change of password or address
    # ends the tokens issued before. Records stored without it: auth.users.stamp_of.
    security_stamp = UnicodeAttribute(null=True)
    # `email` in canonical form (chalicelib.addresses), its guard's key; records stored
    # without it keep their guard where it was written then (auth.users.guard_key_of).
    canonical_email = UnicodeAttribute(null=True)
    # The one pending change of address: the new address, the random id its link carries
    # and when that link expires; a new request, a cancel or a change replaces them all.
    pending_email = UnicodeAttribute(null=True)
    pending_change_id = UnicodeAttribute(null=True)
    pending_until = NumberAttribute(null=True)


class Guard(AppModel):
    """Claims a username or an address for one user (username#<name>, email#<canonical
    address>): uniqueness as a conditional write, and the consistent lookup to the user id."""

    class Meta(_UsersTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()


class Counter(AppModel):
    """A fixed-window counter (throttles), expired by TTL and checked on read."""

    class Meta(StateTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute()


_local = threading.local()


def transaction_connection() -> Connection:
    """The connection transactions write through: one per thread, reused across calls
    (botocore clients are made once; a PynamoDB Connection is not safe across threads)."""
    connection: Connection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = Connection(region=get_settings().region)
    return connection


# -- DynamoDB's answers to writes, and one read across tables -------------------------------
CONDITION_FAILED = "ConditionalCheckFailed"
TRANSACTION_CONFLICT = "TransactionConflict"
# Real DynamoDB cancels a write that meets another transaction on the same item (moto never
# does): such a write is tried this many times, then answered as the side that lost the race.
WRITE_ATTEMPTS = 3
T = TypeVar("T")
M = TypeVar("M", bound=AppModel)


def condition_failed(exc: PynamoDBException) -> bool:
    """Whether a one-item write (put, update, delete) was refused by its condition."""
    return exc.cause_response_code == CONDITION_FAILED + "Exception"


def written(write: Callable[[], object]) -> bool:
    """Whether a one-item conditional write (put, update, delete) was made: False when its
    condition refused it; any other failure is raised."""
    try:
        write()
    except PynamoDBException as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def failed_items(exc: TransactWriteError) -> set[int]:
    """The positions (in write order) of a cancelled transaction's items whose condition failed."""
    return {i for i, r in enumerate(exc.cancellation_reasons) if r and r.code == CONDITION_FAILED}


def _conflicted(exc: PynamoDBException) -> bool:
    if isinstance(exc, TransactWriteError):
        codes = {reason.code for reason in exc.cancellation_reasons if reason}
        return TRANSACTION_CONFLICT in codes and CONDITION_FAILED not in codes
    return exc.cause_response_code == TRANSACTION_CONFLICT + "Exception"


def retry_conflicts(write: Callable[[], T]) -> T:
    """`write`'s result, run again while a transaction conflict cancels it. Raises
    StaleWriteError after WRITE_ATTEMPTS conflicts, and any other failure as it is."""
    for _attempt in range(WRITE_ATTEMPTS):
        try:
            return write()
        except PynamoDBException as exc:
            if not _conflicted(exc):
                raise
    raise StaleWriteError("another write kept conflicting")


Key = str | tuple[str, str]  # `pk`, or (`pk`, `sk`) in a table with a sort key


def _key_of(item: dict[str, Any]) -> Key:
    return (item["pk"]["S"], item["sk"]["S"]) if "sk" in item else item["pk"]["S"]


@dataclass(frozen=True)
class Items:
    """What read_many found, by (table, key): ask it by model and key."""

    found: dict[tuple[str, Key], dict[str, Any]]

    def get(self, model: type[M], key: Key) -> M | None:
        raw = self.found.get((model.Meta.table_name, key))
        return None if raw is None else model.from_raw_data(raw)


def read_many(keys: Iterable[tuple[type[AppModel], Key]]) -> Items:
    """Items of any of our tables in one strongly consistent BatchGetItem (PynamoDB batches
    one model at a time); keys DynamoDB leaves unprocessed are asked again. At most 100 keys."""
    request: dict[str, Any] = {}
    for model, key in keys:
        table = request.setdefault(model.Meta.table_name, {"Keys": [], "ConsistentRead": True})
        pk, sk = key if isinstance(key, tuple) else (key, None)
        table["Keys"].append({"pk": {"S": pk}} | ({"sk": {"S": sk}} if sk else {}))
    found: dict[tuple[str, Key], dict[str, Any]] = {}
    while request:
        answer = dynamodb().batch_get_item(RequestItems=request)
        for table_name, items in answer.get("Responses", {}).items():
            found.update({(table_name, _key_of(item)): item for item in items})
        request = dict(answer.get("UnprocessedKeys") or {})
    return Items(found)
