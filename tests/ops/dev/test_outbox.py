"""The dev outbox, against a small fake of moto server's /moto-api/data.json."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ops.dev.outbox import DATA_PATH, Outbox, OutboxUnavailableError, fetch
from ops.dev.procs import free_port
from tests.helpers import devstack


@pytest.fixture(autouse=True)
def aws_env() -> None:
    """Overrides conftest's in-process moto: the outbox reads a (fake) server over HTTP."""


class FakeMoto(BaseHTTPRequestHandler):
    """Answers like moto server: data.json holds the SES raw messages it was given."""

    data: Any = {}
    status = 200

    def do_GET(self) -> None:
        body = json.dumps(self.data).encode() if self.path == DATA_PATH else b"nope"
        self.send_response(self.status if self.path == DATA_PATH else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def fake_moto() -> Iterator[tuple[str, type[FakeMoto]]]:
    handler = type("Handler", (FakeMoto,), {"data": {"ses": {"RawMessage": []}}, "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def raw_email(to: str, text: str) -> str:
    message = EmailMessage()
    message["Subject"] = "[Microblog] Reset your password"
    message["From"] = "no-reply@example.com"
    message["To"] = to
    message.set_content(text)
    message.add_alternative(f"<p>{text}</p>", subtype="html")
    return message.as_string()


def moto_item(mail_id: str, to: str, text: str) -> dict[str, Any]:
    # moto lists a recipient twice (Destinations and the To header).
    return {
        "id": mail_id,
        "source": "no-reply@example.com",
        "destinations": [to, to],
        "raw_data": raw_email(to, text),
    }


def test_each_email_is_printed_and_saved_once(
    fake_moto: tuple[str, type[FakeMoto]], tmp_path: Path
) -> None:
    endpoint, moto = fake_moto
    printed: list[str] = []
    outbox = Outbox(endpoint, tmp_path / "outbox", echo=printed.append)
    assert outbox.poll() == []

    moto.data["ses"]["RawMessage"].append(moto_item("abc-123", "ada@example.com", "Dear ada, é"))
    (saved,) = outbox.poll()
    assert saved.parent == tmp_path / "outbox"
    assert saved.name.endswith("-abc-123.eml")
    message = devstack.read_email(saved)
    assert message["To"] == "ada@example.com"
    assert devstack.text_body(message).strip() == "Dear ada, é"
    (console,) = printed
    assert "Subject: [Microblog] Reset your password" in console
    assert "X-SES-Destinations: ada@example.com\n" in console
    assert f"X-Outbox-File: {saved}" in console
    assert "Dear ada, é" in console
    assert "<p>" not in console  # the text body, not the HTML one

    moto.data["ses"]["RawMessage"].append(moto_item("def-456", "bob@example.com", "Dear bob"))
    assert [p.name.endswith("-def-456.eml") for p in outbox.poll()] == [True]
    assert outbox.poll() == []
    # A restarted outbox does not emit what it saved before.
    assert Outbox(endpoint, tmp_path / "outbox", echo=printed.append).poll() == []
    assert len(printed) == 2
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2


@pytest.mark.parametrize(
    ("status", "data"),
    [
        (404, {}),
        (200, ["not", "moto"]),
        (200, {"ses": {"RawMessage": "x"}}),
        (200, {"ses": {"RawMessage": [{"id": 1}]}}),
    ],
)
def test_an_endpoint_that_is_not_moto_is_unavailable(
    fake_moto: tuple[str, type[FakeMoto]], status: int, data: Any
) -> None:
    endpoint, moto = fake_moto
    moto.status, moto.data = status, data
    with pytest.raises(OutboxUnavailableError):
        fetch(endpoint)


def test_nothing_listening_is_unavailable() -> None:
    with pytest.raises(OutboxUnavailableError):
        fetch(f"http://127.0.0.1:{free_port()}", timeout=1)


def test_run_polls_when_woken_and_stops(
    fake_moto: tuple[str, type[FakeMoto]], tmp_path: Path
) -> None:
    endpoint, moto = fake_moto
    printed: list[str] = []
    outbox = Outbox(endpoint, tmp_path, echo=printed.append)
    stop, wake = threading.Event(), threading.Event()
    runner = threading.Thread(target=outbox.run, args=(stop, wake, 60.0))
    runner.start()
    moto.data["ses"]["RawMessage"].append(moto_item("m1", "ada@example.com", "hello"))
    wake.set()  # the worker just ran: look now, not in 60 s
    deadline = time.monotonic() + 30  # a bound for a broken outbox, not a measure
    while not list(tmp_path.glob("*-m1.eml")) and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    wake.set()
    runner.join(5)
    assert not runner.is_alive()
    assert len(list(tmp_path.glob("*-m1.eml"))) == 1
