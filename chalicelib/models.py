"""DynamoDB storage through PynamoDB: users with uniqueness guards, and short-lived state."""

from __future__ import annotations

import threading
from typing import Any

from pynamodb.attributes import BooleanAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.models import Model

from chalicelib.settings import get_settings

USER_PREFIX = "user#"
USERNAME_PREFIX = "username#"
EMAIL_PREFIX = "email#"
DELIVERY_PREFIX = "maildelivery#"
FAILURE_PREFIX = "mailfailure#"
SUPPRESS_PREFIX = "suppress#"


class _TableName(type):
    """A PynamoDB Meta whose table name is read from Settings each time it is asked for.

    Nothing is read at import: a module may be imported before the environment is set
    (tests, benchmarks, `make dev`), and PynamoDB asks for the name on first use only.
    """

    setting: str

    @property
    def table_name(cls) -> str:
        return str(getattr(get_settings(), cls.setting))


class _UsersTable(metaclass=_TableName):
    """PynamoDB Meta of the models kept in the users table."""

    setting = "users_table"
    region: str | None = None  # set from Settings on first use (AppModel._get_connection)


class _StateTable(metaclass=_TableName):
    """PynamoDB Meta of the models kept in the short-lived state table (TTL: expires_at)."""

    setting = "state_table"
    region: str | None = None


class AppModel(Model):
    """Our models' base: the region, like the table name, comes from Settings on first use.

    PynamoDB fills in a missing Meta.region from its own settings when the class is made,
    which would be at import; so the Metas above say None and the region is set here, just
    before PynamoDB builds (or reuses) the table's connection.
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
    # The language of its pages and emails (i18n.LOCALES); records stored without it read
    # as English, the only language there was.
    locale = UnicodeAttribute(null=True)


class Guard(AppModel):
    """Claims a username or email for one user (username#<name> / email#<address>).

    Guards make uniqueness a conditional write, and are the strongly consistent
    lookup from a username or email address to the user id.
    """

    class Meta(_UsersTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()


class Counter(AppModel):
    """A fixed-window counter (throttles), expired by TTL and checked on read."""

    class Meta(_StateTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute()


class MailDelivery(AppModel):
    """The idempotency record of one email, keyed by the email's own id (maildelivery#<id>).

    status: "in_progress" while a worker holds the lease, "done" once the provider accepted it
    (or every recipient was suppressed), "failed" after an attempt failed (free to retry).
    TTL'd by expires_at; moto never expires items, so readers check expires_at themselves.
    """

    class Meta(_StateTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()
    owner = UnicodeAttribute(default="")
    lease_until = NumberAttribute(default=0)
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    provider_id = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)
    updated_at = NumberAttribute(default=0)
    expires_at = TTLAttribute()


class MailFailure(AppModel):
    """The last failure of one queue message, keyed by its SQS message id (mailfailure#<id>).

    SQS keeps the message id when it moves a message to the dead-letter queue, so the DLQ
    listing can show why each message failed, whatever its type (email, job or garbage).
    """

    class Meta(_StateTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    error = UnicodeAttribute()
    kind = UnicodeAttribute()
    receive_count = NumberAttribute(default=0)
    updated_at = NumberAttribute(default=0)
    expires_at = TTLAttribute()


class Suppression(AppModel):
    """An address we do not mail (suppress#<lowercased address>): bounced or complained.

    A bounce entry lapses at expires_at (checked on read: moto never expires items);
    a complaint has no expires_at and stays until an operator removes it.
    """

    class Meta(_StateTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    reason = UnicodeAttribute()
    detail = UnicodeAttribute(default="")
    created_at = NumberAttribute(default=0)
    expires_at = TTLAttribute(null=True)


_local = threading.local()


def transaction_connection() -> Connection:
    """The connection transactions write through: one per thread, reused across calls
    (botocore clients are made once; sharing one PynamoDB Connection across threads is not
    safe)."""
    connection: Connection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = Connection(region=get_settings().region)
    return connection
