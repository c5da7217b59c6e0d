"""The suppression list: addresses that bounced for good or complained are never mailed again.

SES publishes bounce and complaint notifications to an SNS topic; the SNS handler in app.py
hands each notification's JSON to `handle_notification`. Both SES formats are understood:
identity notifications ("notificationType") and configuration-set events ("eventType").

A bounce entry lapses after SUPPRESSION_TTL_DAYS (a full mailbox or a fixed typo may work
again); a complaint never lapses. Expiry is checked on read: DynamoDB's TTL deletes late,
and moto never does. `make suppressed` lists the entries, `make unsuppress` removes one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib import addresses
from chalicelib.logs import logger as log
from chalicelib.logs import mask_address
from chalicelib.mail.composing import bare_address
from chalicelib.mail.records import SUPPRESS_PREFIX, Suppression
from chalicelib.models import condition_failed, written
from chalicelib.settings import get_settings

BOUNCE = "Bounce"
COMPLAINT = "Complaint"


def key_of(address: str) -> str:
    """The suppression entry's key of an address (for callers that batch the read): its
    canonical form, the one SES reports, so any spelling of the address meets its entry."""
    return SUPPRESS_PREFIX + addresses.canonical(bare_address(address))


def suppress(address: str, reason: str, detail: str = "") -> None:
    """Put an address on the list; a bounce lapses after SUPPRESSION_TTL_DAYS.

    Idempotent: a second bounce rewrites (and extends) the entry; a bounce never turns a
    complaint, which does not lapse, into an entry that does.
    """
    now = time.time()
    entry = Suppression(key_of(address), reason=reason, detail=detail[:200], created_at=int(now))
    if reason != BOUNCE:
        entry.save()
        return
    entry.expires_at = datetime.fromtimestamp(
        now + get_settings().suppression_ttl_days * 86400, tz=UTC
    )
    try:
        entry.save(condition=Suppression.pk.does_not_exist() | (Suppression.reason != COMPLAINT))
    except PutError as exc:
        if not condition_failed(exc):
            raise


def in_force(entry: Suppression, now: float) -> bool:
    """Whether an entry still applies at `now` (a bounce lapses; a complaint does not)."""
    return entry.expires_at is None or entry.expires_at.timestamp() > now


def suppressed_among(addresses: Iterable[str]) -> set[str]:
    """The addresses among these that are on the list (canonical forms), in one batch read."""
    keys = {key_of(a) for a in addresses if bare_address(a)}
    if not keys:
        return set()
    now = time.time()
    return {
        item.pk.removeprefix(SUPPRESS_PREFIX)
        for item in Suppression.batch_get(keys)
        if in_force(item, now)
    }


def is_suppressed(address: str) -> bool:
    """Whether one address is on the list."""
    return bool(suppressed_among([address]))


def unsuppress(address: str) -> bool:
    """Take an address off the list; returns whether it was on it."""
    # The key attribute starts with the prefix exactly when the entry exists.
    exists = Suppression.pk.startswith(SUPPRESS_PREFIX)
    return written(lambda: Suppression(key_of(address)).delete(condition=exists))


def _recipients(items: Any, *, failed_only: bool) -> list[str]:
    if not isinstance(items, list):
        return []
    found = []
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("emailAddress"), str):
            continue
        # In a permanent bounce, a recipient whose action is "delayed" has not failed (yet).
        if failed_only and item.get("action", "failed") != "failed":
            continue
        if "@" in bare_address(item["emailAddress"]):
            found.append(item["emailAddress"])
    return found


def addresses_to_suppress(notification: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(address, reason, detail) for each address a notification says to stop mailing."""
    kind = notification.get("notificationType") or notification.get("eventType")
    if kind == BOUNCE:
        bounce = notification.get("bounce")
        if not isinstance(bounce, Mapping) or bounce.get("bounceType") != "Permanent":
            return []  # transient and undetermined bounces may succeed next time
        detail = f"Permanent/{bounce.get('bounceSubType', '')}"
        return [
            (a, BOUNCE, detail)
            for a in _recipients(bounce.get("bouncedRecipients"), failed_only=True)
        ]
    if kind == COMPLAINT:
        complaint = notification.get("complaint")
        if not isinstance(complaint, Mapping):
            return []
        detail = str(complaint.get("complaintFeedbackType", ""))
        recipients = _recipients(complaint.get("complainedRecipients"), failed_only=False)
        return [(a, COMPLAINT, detail) for a in recipients]
    return []


def handle_notification(message: str) -> int:
    """Apply one SES notification (the SNS message body); returns how many addresses it added.

    A message that is not an SES notification is logged and dropped: SNS would only retry it.
    """
    try:
        notification = json.loads(message)
    except json.JSONDecodeError:
        log.warning("mail event is not JSON; ignored")
        return 0
    if not isinstance(notification, Mapping):
        log.warning("mail event is not a JSON object; ignored")
        return 0
    entries = addresses_to_suppress(notification)
    for address, reason, detail in entries:
        suppress(address, reason, detail)
        log.info("suppressed %s after a %s", mask_address(address), reason.lower())
    return len(entries)
