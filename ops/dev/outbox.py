"""The `make dev` outbox: every email the emulator's SES accepted, printed and saved as .eml.

Like the tutorial's DebuggingServer, but for SES: moto server exposes everything it stores at
GET {endpoint}/moto-api/data.json, where raw emails sit under ["ses"]["RawMessage"] as
{id, source, destinations, raw_data}. Each new one is printed (headers and text body) and
written to `<dir>/<timestamp>-<id>.eml`, once.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

DATA_PATH = "/moto-api/data.json"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
RULE_OPEN = "---------- MESSAGE FOLLOWS ----------"
RULE_CLOSE = "------------ END MESSAGE ------------"


class OutboxUnavailableError(Exception):
    """The endpoint does not answer like a moto server."""


@dataclass(frozen=True)
class SentEmail:
    """One raw email as moto's SES stored it."""

    id: str
    source: str
    destinations: tuple[str, ...]
    raw: str

    @classmethod
    def from_moto(cls, item: Any) -> SentEmail:
        if not isinstance(item, dict) or not isinstance(item.get("raw_data"), str):
            raise OutboxUnavailableError("unexpected SES RawMessage shape in moto's data")
        return cls(
            id=str(item.get("id", "")),
            source=str(item.get("source", "")),
            destinations=tuple(str(d) for d in item.get("destinations") or ()),
            raw=item["raw_data"],
        )


def fetch(endpoint: str, timeout: float = 5.0) -> list[SentEmail]:
    """Every raw email the moto server at `endpoint` accepted so far."""
    url = endpoint.rstrip("/") + DATA_PATH
    if not url.startswith(("http://", "https://")):
        raise OutboxUnavailableError(f"not an http(s) endpoint: {endpoint}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = json.loads(response.read())
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise OutboxUnavailableError(f"{url}: {exc}") from None
    if not isinstance(data, dict):
        raise OutboxUnavailableError(f"{url} is not moto's data")
    raw_messages = (data.get("ses") or {}).get("RawMessage") or []
    if not isinstance(raw_messages, list):
        raise OutboxUnavailableError(f"{url} is not moto's data")
    return [SentEmail.from_moto(item) for item in raw_messages]


def _text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if not isinstance(part, EmailMessage):
        return "(no text/plain part)"
    try:
        return str(part.get_content())
    except (LookupError, ValueError) as exc:
        return f"(text part not readable: {exc})"


def render(mail: SentEmail, path: Path | None = None) -> str:
    """The console form: headers, then the text body (DebuggingServer style)."""
    message = message_from_string(mail.raw, _class=EmailMessage, policy=policy.default)
    lines = [RULE_OPEN]
    lines += [f"{name}: {value}" for name, value in message.items()]
    lines.append(f"X-SES-Destinations: {', '.join(dict.fromkeys(mail.destinations))}")
    if path is not None:
        lines.append(f"X-Outbox-File: {path}")
    lines += ["", _text_body(message).rstrip("\n"), RULE_CLOSE]
    return "\n".join(lines)


def _file_id(mail_id: str) -> str:
    return _UNSAFE.sub("_", mail_id) or "message"


class Outbox:
    """Emits each email once: printed via `echo`, saved under `directory`."""

    def __init__(self, endpoint: str, directory: Path, echo: Callable[[str], None] = print) -> None:
        self.endpoint = endpoint
        self.directory = directory
        self.echo = echo
        directory.mkdir(parents=True, exist_ok=True)
        # Files already saved (an emulator that outlived a restart) are not emitted again.
        self.seen = {p.stem.partition("-")[2] for p in directory.glob("*.eml")}

    def save(self, mail: SentEmail) -> Path:
        """Write the raw message as <UTC timestamp>-<id>.eml, atomically."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = self.directory / f"{stamp}-{_file_id(mail.id)}.eml"
        partial = self.directory / f".{path.name}.partial"
        partial.write_bytes(mail.raw.encode("utf-8", errors="surrogateescape"))
        os.replace(partial, path)
        return path

    def poll(self) -> list[Path]:
        """Fetch once; print and save the emails not seen before."""
        saved = []
        for mail in fetch(self.endpoint):
            key = _file_id(mail.id)
            if key in self.seen:
                continue
            self.seen.add(key)
            path = self.save(mail)
            self.echo(render(mail, path))
            saved.append(path)
        return saved

    def run(self, stop: threading.Event, wake: threading.Event, interval: float = 1.0) -> None:
        """Poll whenever `wake` is set (the worker just ran), else every `interval` seconds.

        An unreachable emulator is reported once per outage. Set `wake` after `stop` to end.
        """
        failing = False
        while not stop.is_set():
            wake.clear()
            try:
                self.poll()
            except OutboxUnavailableError as exc:
                if not failing and not stop.is_set():
                    self.echo(f"[outbox] cannot read the emulator's data ({exc}); retrying")
                failing = True
            else:
                failing = False
            wake.wait(interval)
