"""An account's security events and sessions, in the activity table: partitioned by account
(`pk` = user#<id>), ordered within it by `sk`, expired by TTL (`expires_at`, checked on read:
moto never expires items)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.models import AppModel, TableName

EVENT_PREFIX = "event#"  # event#<milliseconds, 13 digits>#<random>: time-ordered
SESSION_PREFIX = "session#"  # session#<session id>


class ActivityTable(metaclass=TableName):
    """PynamoDB Meta of the models kept in the activity table."""

    setting = "owner.activity_table"
    region: str | None = None


class EventRecord(AppModel):
    """One security event of an account: what happened, when, from where."""

    class Meta(ActivityTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    at = NumberAttribute()  # milliseconds since the epoch
    client = UnicodeAttribute(default="")
    user_agent = UnicodeAttribute(default="")
    request_id = UnicodeAttribute(default="")
    expires_at = TTLAttribute()
    # Only on an account's last event (account_deleted): a keyed digest of the address it
    # had, so support can answer "was there an account with this address?", nobody read it.
    address_digest = UnicodeAttribute(null=True)


class SessionRecord(AppModel):
    """One signed-in session (a browser's cookie, or an API client's tokens): every token it
    issued names it, and deleting it ends them all at once."""

    class Meta(ActivityTable):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()  # "page" or "api"
    created_at = NumberAttribute()
    last_used_at = NumberAttribute()
    client = UnicodeAttribute(default="")
    user_agent = UnicodeAttribute(default="")
    # An API session's current refresh token id: a refresh spends it (a conditional write).
    refresh_id = UnicodeAttribute(null=True)
    # The account's security stamp when it began: a session under an older stamp is over (a
    # password or address changed since), whatever its item says. Never shown or exported.
    stamp = UnicodeAttribute(null=True)
    expires_at = TTLAttribute()
