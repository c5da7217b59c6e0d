"""The environment `make dev` runs with: one for chalice local and the in-process worker alike.

Pure planning, no processes: what the endpoint is, which ports, and the variables both
processes must agree on (the signing secret above all: the worker signs reset tokens that
chalice local verifies).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGE = "local"
DEFAULT_PORT = 8000
DEFAULT_EMULATOR_PORT = 4566
DEFAULT_ADMINS = "no-reply@example.com"
HOST = "127.0.0.1"
# Files under the dev directory: the signing keys (file names, not secrets) and the emulator.
KEY_FILE, PREVIOUS_KEY_FILE = "secret_key", "secret_key_previous"
EMULATOR_RECORD = "emulator_port"


class DevConfigError(Exception):
    """The developer's environment cannot be used as given."""


@dataclass(frozen=True)
class DevPlan:
    """Where everything runs and with which environment."""

    root: Path
    dev_dir: Path
    port: int
    endpoint: str
    emulator_port: int | None  # None: use the given AWS_ENDPOINT_URL, start no emulator
    env: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.env["PUBLIC_BASE_URL"]

    @property
    def outbox_dir(self) -> Path:
        return self.dev_dir / "outbox"


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise DevConfigError(f"{name} must be a TCP port number, got {raw!r}")
    return int(raw)


def stage_environment(root: Path, stage: str = STAGE) -> dict[str, str]:
    """What `chalice local --stage STAGE` lays over the process environment."""
    config = json.loads((root / ".chalice" / "config.json").read_text(encoding="utf-8"))
    merged = dict(config.get("environment_variables", {}))
    merged.update(config.get("stages", {}).get(stage, {}).get("environment_variables", {}))
    return {str(k): str(v) for k, v in merged.items()}


def dev_secret(dev_dir: Path) -> str:
    """The development signing secret: made once, kept in dev_dir so links survive restarts."""
    path = dev_dir / KEY_FILE
    if path.is_file():
        kept = path.read_text(encoding="utf-8").strip()
        if kept:
            return kept
    dev_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def dev_directory(env: Mapping[str, str], root: Path = ROOT) -> Path:
    """Where `make dev` keeps its state: DEV_DIR, or .dev in the project."""
    return Path(env.get("DEV_DIR") or root / ".dev").resolve()


def record_emulator(dev: DevPlan) -> None:
    """Note the port of the emulator `make dev` started, for operator commands to find."""
    if dev.emulator_port is not None:
        (dev.dev_dir / EMULATOR_RECORD).write_text(f"{dev.emulator_port}\n", encoding="utf-8")


def operator_environment(base: Mapping[str, str], root: Path = ROOT) -> dict[str, str]:
    """The environment of `make dev`'s stage for an operator command (`make dlq STAGE=local`).

    The same as the stack's, with the emulator `make dev` recorded starting, unless
    AWS_ENDPOINT_URL or EMULATOR_PORT says otherwise; its signing keys; its names.
    """
    env = dict(base)
    record = dev_directory(env, root) / EMULATOR_RECORD
    if not env.get("AWS_ENDPOINT_URL") and not env.get("EMULATOR_PORT") and record.is_file():
        env["EMULATOR_PORT"] = record.read_text(encoding="utf-8").strip()
    return plan(env, root).env


def plan(base: Mapping[str, str], root: Path = ROOT) -> DevPlan:
    """Derive the dev stack's settings from the developer's environment `base`."""
    env = dict(base)
    dev_dir = dev_directory(env, root)
    port = _port(env, "PORT", DEFAULT_PORT)
    emulator_port: int | None = None
    endpoint = env.get("AWS_ENDPOINT_URL", "").strip()
    if not endpoint:
        emulator_port = _port(env, "EMULATOR_PORT", DEFAULT_EMULATOR_PORT)
        if emulator_port == port:
            raise DevConfigError(f"EMULATOR_PORT and PORT are both {port}")
        endpoint = f"http://{HOST}:{emulator_port}"
        env["AWS_ENDPOINT_URL"] = endpoint
        # The emulator takes any credentials; never reach for a real account's.
        if not env.get("AWS_ACCESS_KEY_ID"):
            env["AWS_ACCESS_KEY_ID"] = "testing"
            env["AWS_SECRET_ACCESS_KEY"] = "testing"  # noqa: S105 - moto's dummy value
            env.pop("AWS_SESSION_TOKEN", None)
        if not (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")):
            env["AWS_DEFAULT_REGION"] = "us-east-1"
    env["PORT"] = str(port)
    env["APP_ENV"] = "development"
    if not env.get("ADMINS", "").strip():
        env["ADMINS"] = DEFAULT_ADMINS
    if not env.get("PUBLIC_BASE_URL"):
        env["PUBLIC_BASE_URL"] = f"http://{HOST}:{port}"
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = dev_secret(dev_dir)
        previous = dev_dir / PREVIOUS_KEY_FILE  # kept by `make rotate-key STAGE=local`
        if previous.is_file() and not env.get("SECRET_KEY_PREVIOUS"):
            env["SECRET_KEY_PREVIOUS"] = previous.read_text(encoding="utf-8").strip()
    # chalice local lays the stage's variables over its environment; the worker must agree.
    env.update(stage_environment(root))
    env["PYTHONUNBUFFERED"] = "1"
    # moto's SES quota says one email a second: local mail is never paced to that.
    env.setdefault("MAIL_MAX_SEND_RATE", "100000")
    return DevPlan(
        root=root,
        dev_dir=dev_dir,
        port=port,
        endpoint=endpoint,
        emulator_port=emulator_port,
        env=env,
    )
