"""`make dev`: AWS emulator, API, queue worker and outbox in the foreground, until Ctrl-C.

python -m ops.dev          # or: make dev

- moto server on 127.0.0.1:$EMULATOR_PORT (4566), unless AWS_ENDPOINT_URL names another endpoint;
- ops.deploy.provision against that endpoint (tables, queue, verified SES sender; idempotent);
- `chalice local --no-autoreload --stage local` on 127.0.0.1:$PORT (8000), a child process
  (ops.dev.local_api: Chalice's local server, answering unknown paths as the deployed API's
  gateway responses do: a page for a browser, problem+json otherwise);
- in this process: the queue poller playing Lambda's SQS event source mapping (it invokes the
  very same `app.mail_worker`) and the outbox (emails printed, saved under .dev/outbox/).

SIGINT, SIGTERM and SIGHUP stop every child before this process exits; children also get
SIGTERM should this process die without cleaning up (Linux parent-death signal).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from botocore.exceptions import BotoCoreError, ClientError

from ops.dev.devconsole import banner, echo, relay_api_log
from ops.dev.devenv import HOST, STAGE, DevConfigError, DevPlan, plan, record_emulator
from ops.dev.outbox import Outbox, OutboxUnavailableError
from ops.dev.procs import STOP_TIMEOUT, http_status, port_free, spawn, terminate

log = logging.getLogger("dev")

POLL_WAIT_SECONDS = 1  # SQS long poll: returns at once on a message; bounds the stop time
OUTBOX_INTERVAL = 1.0  # the outbox also reads the emulator's SES store right after each batch
STARTUP_TIMEOUT = 60.0


class StartupError(Exception):
    """A part of the stack did not come up."""


class StopRequestedError(Exception):
    """A stop signal arrived while the stack was starting."""


class Stack:
    """The running parts; `shutdown` stops whatever `start` got to."""

    def __init__(self, dev: DevPlan, stop: threading.Event) -> None:
        self.dev = dev
        self.stop = stop
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.threads: list[threading.Thread] = []
        self.outbox_ready = False
        self.mail_sent = threading.Event()

    def start(self) -> None:
        dev = self.dev
        for port in (dev.emulator_port, dev.port):
            if port is not None and not port_free(port):
                raise StartupError(f"port {port} on {HOST} is taken (set PORT / EMULATOR_PORT)")
        dev.dev_dir.mkdir(parents=True, exist_ok=True)
        if dev.emulator_port is not None:
            argv = [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(dev.emulator_port)]
            self.children["moto server"] = spawn(argv, dev.env, dev.root, self.emulator_log)
            self._wait("moto server", f"{dev.endpoint}/moto-api/", lambda status: True)
            record_emulator(dev)  # `make dlq STAGE=local` and the others find it there
        # Settings are read on first use (provisioning, below): the environment comes first.
        os.environ.update(dev.env)
        self._provision()
        argv = [sys.executable, "-m", "ops.dev.local_api", "--stage", STAGE]
        argv += ["--host", HOST, "--port", str(dev.port)]
        self.children["chalice local"] = api = spawn(argv, dev.env, dev.root, None, pipe=True)
        self._thread("api log", lambda: relay_api_log(api))
        self._start_worker()
        self._start_outbox()
        self._wait("chalice local", f"http://{HOST}:{dev.port}/api/health", lambda s: s == 200)

    @property
    def emulator_log(self) -> Path:
        return self.dev.dev_dir / "emulator.log"

    def _wait(self, name: str, url: str, ready: Callable[[int], bool]) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if self.stop.is_set():
                raise StopRequestedError
            proc = self.children.get(name)
            if proc is not None and proc.poll() is not None:
                raise StartupError(f"{name} exited with code {proc.returncode}")
            status = http_status(url)
            if status is not None and ready(status):
                return
            if time.monotonic() > deadline:
                raise StartupError(f"{name} did not answer at {url} in {STARTUP_TIMEOUT:.0f} s")
            self.stop.wait(0.05)

    def _provision(self) -> None:
        from chalicelib.errors import ConfigError
        from chalicelib.settings import get_settings
        from ops.deploy.provision import provision

        try:
            provision(get_settings())
        except ConfigError as exc:
            raise StartupError(f"configuration: {exc}") from None
        except (BotoCoreError, ClientError) as exc:
            raise StartupError(f"provisioning at {self.dev.endpoint} failed: {exc}") from None

    def _start_worker(self) -> None:
        import app
        from chalicelib import aws
        from ops.dev import poller
        from ops.dev.devlog import use_console_format

        use_console_format()
        sqs, queue_url, handler = aws.sqs(), aws.queue_url(), app.mail_worker

        def loop() -> None:
            while not self.stop.is_set():
                try:
                    received, failed = poller.poll_once(
                        sqs, queue_url, handler, wait_seconds=POLL_WAIT_SECONDS
                    )
                except (BotoCoreError, ClientError) as exc:
                    if self.stop.is_set():
                        return
                    log.warning("queue poller: %s; retrying in 1 s", exc)
                    self.stop.wait(1)
                    continue
                if received:
                    self.mail_sent.set()  # the outbox looks at once: no polling delay
                if failed:
                    log.warning(
                        "mail worker: %d of %d messages failed (retried later)", failed, received
                    )

        self._thread("queue poller", loop)

    def _start_outbox(self) -> None:
        outbox = Outbox(self.dev.endpoint, self.dev.outbox_dir, echo=echo)
        try:
            outbox.poll()
        except OutboxUnavailableError:
            log.warning(
                "outbox unavailable: %s is not a moto server, so sent emails are not shown here",
                self.dev.endpoint,
            )
            return
        self.outbox_ready = True
        self._thread("outbox", lambda: outbox.run(self.stop, self.mail_sent, OUTBOX_INTERVAL))

    def _thread(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def watch(self) -> int:
        """Block until a stop signal (0) or until a part of the stack dies (1)."""
        while not self.stop.wait(0.5):
            for name, proc in self.children.items():
                if proc.poll() is not None:
                    log.error("%s exited with code %s; stopping", name, proc.returncode)
                    return 1
            for thread in self.threads:
                if not thread.is_alive():
                    log.error("the %s thread died; stopping", thread.name)
                    return 1
        return 0

    def shutdown(self) -> None:
        """The API first, then the worker finishes its batch, then the emulator."""
        self.stop.set()
        self.mail_sent.set()
        if "chalice local" in self.children:
            terminate("chalice local", self.children["chalice local"])
        for thread in self.threads:
            thread.join(POLL_WAIT_SECONDS + STOP_TIMEOUT)
        for name, proc in self.children.items():
            terminate(name, proc)


def _report(message: str, code: int) -> int:
    log.error("%s", message)
    return code


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="[dev] %(message)s")
    for noisy in ("botocore", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Powertools says why a queued record failed only at DEBUG, to a non-propagating logger.
    why = logging.StreamHandler()
    why.setFormatter(logging.Formatter("[dev] mail worker: %(message)s"))
    why.addFilter(lambda record: record.getMessage().startswith("Record processing exception"))
    batch = logging.getLogger("aws_lambda_powertools.utilities.batch.base")
    batch.setLevel(logging.DEBUG)
    batch.addHandler(why)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    try:
        dev = plan(os.environ)
    except DevConfigError as exc:
        return _report(str(exc), 2)
    stack = Stack(dev, stop)
    code = 0
    try:
        stack.start()
        echo(banner(dev, stack.outbox_ready))
        code = stack.watch()
    except StopRequestedError:
        pass
    except StartupError as exc:
        hint = f" (emulator log: {stack.emulator_log})" if dev.emulator_port is not None else ""
        code = _report(f"{exc}{hint}", 1)
    finally:
        log.info("stopping")
        stack.shutdown()
    log.info("stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
