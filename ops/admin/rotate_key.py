"""The signing keyring of a deployed stage: created once, rotated with one command.

python -m ops.admin.rotate_key --stage prod      # or: make rotate-key STAGE=prod
python -m ops.admin.rotate_key --stage local     # `make dev`'s key, in .dev/ (restart make dev)

Rotation moves the current key to `previous` and stores a fresh current key, so tokens
signed before it still verify and new ones are signed with the new key. A key two
rotations old is gone. Running functions cache the keyring per container, so rotation
then touches each function's configuration: Lambda starts fresh containers, which load
the new keyring (a warm container would not know the new key).

The keyring lives in an SSM SecureString (`chalice deploy` path) or in a Secrets
Manager secret read through its SSM reference (CloudFormation path); ops/keyring.py
reads and writes both. `make dev`'s stage keeps its key in .dev/secret_key and the one
before it in .dev/secret_key_previous (ops/dev/devenv.py reads both when it starts).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError

from chalicelib.auth.keys import SigningKey, dump_keyring, parse_keyring
from chalicelib.errors import ConfigError
from ops.admin.stage import LOCAL
from ops.cli import operator_errors
from ops.dev import devenv
from ops.keyring import KeyStore, new_secret
from ops.stages import cli_logging, load_stage

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

log = logging.getLogger("rotate_key")

ROTATION_MARKER = "KEYRING_ROTATED_AT"  # set on functions to force fresh containers


def rotate(store: KeyStore) -> tuple[str, str]:
    """Current -> previous, a new current; returns (retired kid, new kid)."""
    keyring = parse_keyring(store.read())
    fresh = new_secret()
    store.write(dump_keyring(fresh, keyring.current.secret.decode()))
    return keyring.current.kid, SigningKey.from_secret(fresh).kid


def recycle(functions: LambdaClient, names: list[str]) -> None:
    """Touch each function's configuration so new invocations start fresh containers."""
    stamp = str(int(time.time()))
    for name in names:
        config = functions.get_function_configuration(FunctionName=name)
        variables = dict(config.get("Environment", {}).get("Variables", {}))
        variables[ROTATION_MARKER] = stamp
        functions.update_function_configuration(
            FunctionName=name, Environment={"Variables": variables}
        )


def deployed_keyrings(functions: LambdaClient, names: list[str]) -> dict[str, list[str]]:
    """Keyring name -> the deployed functions that read it (from their environment)."""
    found: dict[str, list[str]] = {}
    for name in names:
        try:
            config = functions.get_function_configuration(FunctionName=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceNotFoundException":
                continue
            raise
        parameter = config.get("Environment", {}).get("Variables", {}).get("SECRET_KEY_PARAMETER")
        if parameter:
            found.setdefault(parameter, []).append(name)
    return found


def _write_key(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")


def rotate_local(dev_dir: Path) -> tuple[str, str]:
    """`make dev`'s key: the current one becomes the previous one, a fresh one is current."""
    current = devenv.dev_secret(dev_dir)
    fresh = new_secret()
    _write_key(dev_dir / devenv.PREVIOUS_KEY_FILE, current)
    _write_key(dev_dir / devenv.KEY_FILE, fresh)
    return SigningKey.from_secret(current).kid, SigningKey.from_secret(fresh).kid


def rotate_stage(stage_name: str) -> dict[str, tuple[str, str]]:
    """Rotate the keyring(s) the stage's deployed functions read, then recycle them."""
    stage = load_stage(stage_name)
    if not stage.environment.get("SECRET_KEY_PARAMETER"):
        raise ConfigError(f"stage {stage_name!r} reads SECRET_KEY from its environment")
    settings = stage.settings()
    functions: LambdaClient = boto3.client("lambda", region_name=settings.region)
    in_use = deployed_keyrings(functions, list(stage.function_names().values()))
    if not in_use:  # nothing deployed yet: rotate what the stage is configured to read
        in_use = {settings.secret_parameter: []}
    rotated = {}
    for name, readers in in_use.items():
        rotated[name] = rotate(KeyStore(name, settings.region))
        recycle(functions, readers)
    return rotated


@operator_errors("rotation")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, help="a stage of .chalice/config.json")
    args = parser.parse_args(argv)
    cli_logging()
    if args.stage == LOCAL:
        dev_dir = devenv.dev_directory(os.environ)
        old, new = rotate_local(dev_dir)
        log.info(
            "rotated make dev's key in %s: kid %s is now previous, kid %s is current; "
            "restart `make dev` to sign with it",
            dev_dir,
            old,
            new,
        )
        return 0
    rotated = rotate_stage(args.stage)
    for name, (old, new) in rotated.items():
        log.info("rotated %s: kid %s is now previous, kid %s is current", name, old, new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
