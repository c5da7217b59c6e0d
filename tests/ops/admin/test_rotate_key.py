"""rotate_key.py: create once, rotate with one command, old tokens expire with the old key."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import boto3
import jwt
import pytest

from chalicelib.auth import tokens
from chalicelib.auth.keys import (
    get_keyring,
    load_keyring_parameter,
    parse_keyring,
)
from chalicelib.errors import InvalidTokenError
from ops.admin import rotate_key
from ops.admin.rotate_key import ROTATION_MARKER, rotate, rotate_stage
from ops.dev import devenv
from ops.keyring import KeyStore
from ops.stages import load_stage

REGION = "us-east-1"
PURPOSE = tokens.Purpose.RESET_PASSWORD


def issue() -> str:
    return tokens.issue(PURPOSE, "user-1", "stamp", ttl=600)


def verify(token: str) -> tokens.Claims:
    """Verify with a freshly loaded keyring, as a new Lambda container would."""
    get_keyring.cache_clear()
    return tokens.verify(PURPOSE, token)


@pytest.mark.parametrize("name", ["/test/signing-keys", "/aws/reference/secretsmanager/test/keys"])
def test_rotation_keeps_one_previous_key(name: str, environment: Callable[..., None]) -> None:
    store = KeyStore(name, REGION)
    assert store.create()
    environment(SECRET_KEY_PARAMETER=name)  # the app reads its keys from the parameter
    before = issue()

    rotate(store)
    assert verify(before).user_id == "user-1"  # signed before, verifies after
    after = issue()
    assert verify(after).user_id == "user-1"
    # New tokens are signed with the new key alone.
    current = load_keyring_parameter(name).current
    assert jwt.decode(after, current.secret, algorithms=["HS256"], audience=PURPOSE.audience)

    rotate(store)
    with pytest.raises(InvalidTokenError, match="InvalidSignatureError"):
        verify(before)  # two rotations old
    assert verify(after).user_id == "user-1"


def test_keys_are_long_and_fresh() -> None:
    store = KeyStore("/test/signing-keys", REGION)
    store.create()
    first = parse_keyring(store.read()).current
    old_kid, new_kid = rotate(store)
    second = parse_keyring(store.read())
    assert old_kid == first.kid
    assert new_kid == second.current.kid != first.kid
    assert len(second.current.secret) >= 64
    assert second.previous == (first,)


def _function(name: str, parameter: str) -> None:
    role = boto3.client("iam").create_role(
        RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"})
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return None\n")
    boto3.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": code.getvalue()},
        Environment={"Variables": {"SECRET_KEY_PARAMETER": parameter, "OTHER": "kept"}},
    )


def test_rotate_stage_rotates_what_the_functions_read_and_recycles_them() -> None:
    stage = load_stage("dev")
    names = stage.function_names()
    reference = "/aws/reference/secretsmanager/microblog-accounts/dev/signing-keys"
    KeyStore(reference, REGION).create()  # as the CloudFormation stack would
    for name in names.values():
        _function(name, reference)
    kid = load_keyring_parameter(reference).current.kid

    rotated = rotate_stage("dev")

    assert list(rotated) == [reference]
    assert load_keyring_parameter(reference).previous[0].kid == kid
    for name in names.values():
        variables = boto3.client("lambda").get_function_configuration(FunctionName=name)[
            "Environment"
        ]["Variables"]
        assert ROTATION_MARKER in variables
        assert variables["OTHER"] == "kept"


def test_rotate_stage_with_nothing_deployed_rotates_the_configured_parameter() -> None:
    parameter = load_stage("prod").settings().secret_parameter
    KeyStore(parameter, REGION).create()
    kid = load_keyring_parameter(parameter).current.kid
    assert list(rotate_stage("prod")) == [parameter]
    assert load_keyring_parameter(parameter).previous[0].kid == kid


def test_make_devs_key_rotates_in_its_directory_and_keeps_the_previous_one(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    environment: Callable[..., None],
) -> None:
    monkeypatch.setenv("DEV_DIR", str(tmp_path))
    caplog.set_level("INFO", logger="rotate_key")
    before = devenv.plan({"DEV_DIR": str(tmp_path)}).env
    environment(SECRET_KEY=before["SECRET_KEY"], SECRET_KEY_PREVIOUS=None)
    token = tokens.issue(PURPOSE, "user-1", "fp", ttl=600)  # signed with make dev's key
    assert rotate_key.main(["--stage", "local"]) == 0
    after = devenv.plan({"DEV_DIR": str(tmp_path)}).env  # what `make dev` starts with next
    assert after["SECRET_KEY_PREVIOUS"] == before["SECRET_KEY"] != after["SECRET_KEY"]
    environment(SECRET_KEY=after["SECRET_KEY"], SECRET_KEY_PREVIOUS=after["SECRET_KEY_PREVIOUS"])
    assert tokens.verify(PURPOSE, token).user_id == "user-1"
    assert "restart `make dev`" in caplog.text


def test_a_stage_missing_from_the_config_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert rotate_key.main(["--stage", "staging"]) == 1
    assert "no stage 'staging'" in capsys.readouterr().err
