"""What the owner of an account sees and controls: its activity, sessions, refresh tokens,
"this wasn't me" links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.env import env_int

DAY = 24 * 3600


@dataclass(frozen=True)
class OwnerSettings:
    """The activity table (events and sessions, by account) and the lifetimes of what it holds."""

    activity_table: str
    audit_retention_days: int  # an event's TTL
    refresh_token_ttl: int  # seconds an API session lives without a refresh
    secure_link_ttl_days: int  # a notice's "this wasn't me" link

    @property
    def audit_retention(self) -> int:
        return self.audit_retention_days * DAY

    @property
    def secure_link_ttl(self) -> int:
        return self.secure_link_ttl_days * DAY


def owner_settings(env: Mapping[str, str]) -> OwnerSettings:
    return OwnerSettings(
        activity_table=env.get("ACTIVITY_TABLE", "microblog-activity"),
        audit_retention_days=env_int(env, "AUDIT_RETENTION_DAYS", 400),
        refresh_token_ttl=env_int(env, "REFRESH_TOKEN_TTL_SECONDS", 30 * DAY),
        secure_link_ttl_days=env_int(env, "SECURE_LINK_TTL_DAYS", 7),
    )
