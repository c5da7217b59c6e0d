"""Fixtures of the mail tests: real SMTP servers (tests/helpers/smtp.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ops.dev.procs import free_port
from tests.helpers.smtp import Inbox, self_signed_certificate


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp() -> Iterator[Any]:
    """Start real SMTP servers on free local ports; all stopped after the test."""
    started: list[Controller] = []

    def start(inbox: Inbox, **options: Any) -> int:
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        started.append(controller)
        return port

    yield start
    for controller in started:
        controller.stop()
