"""DynamoDB storage through PynamoDB: users with uniqueness guards, and short-lived state."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.settings import get_settings

_settings = get_settings()

USER_PREFIX = "user#"
USERNAME_PREFIX = "username#"
EMAIL_PREFIX = "email#"


class UserRecord(Model):
    """An account. Key: user#<id>."""

    class Meta:
        table_name = _settings.users_table
        region = _settings.region

    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    username = UnicodeAttribute()
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    created_at = NumberAttribute()
    password_changed_at = NumberAttribute()


class Guard(Model):
    """Claims a username or email for one user (username#<name> / email#<address>).

    Guards make uniqueness a conditional write, and are the strongly consistent
    lookup from a username or email address to the user id.
    """

    class Meta:
        table_name = _settings.users_table
        region = _settings.region

    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()


class Counter(Model):
    """A fixed-window counter (throttles), expired by TTL and checked on read."""

    class Meta:
        table_name = _settings.state_table
        region = _settings.region

    pk = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute()
