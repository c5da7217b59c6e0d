"""ops/provision.py: everything the app needs, and a second run changes nothing."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from chalicelib.secrets import parse_keyring
from chalicelib.settings import Settings
from ops import provision as provision_module
from ops.provision import provision
from ops.stages import load_stage


def state(settings: Settings) -> dict[str, Any]:
    """Everything provisioning touches, minus what AWS changes by itself."""
    dynamodb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
    tables = {}
    for name in (settings.users_table, settings.state_table):
        table = dynamodb.describe_table(TableName=name)["Table"]
        tables[name] = {
            "keys": table["KeySchema"],
            "billing": table["BillingModeSummary"]["BillingMode"],
            "ttl": dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"],
            "created": table["CreationDateTime"],
        }
    queues = {
        url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        for url in sqs.list_queues()["QueueUrls"]
    }
    ses = boto3.client("ses")
    snapshot: dict[str, Any] = {
        "tables": tables,
        "queues": queues,
        "identities": ses.list_identities()["Identities"],
    }
    if settings.secret_parameter:
        parameter = boto3.client("ssm").get_parameter(
            Name=settings.secret_parameter, WithDecryption=True
        )["Parameter"]
        snapshot["keyring"] = (parameter["Type"], parameter["Version"], parameter["Value"])
    return snapshot


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_provisioning_a_stage_twice_changes_nothing(stage: str) -> None:
    settings = load_stage(stage).settings()
    first = provision(settings)
    before = state(settings)
    second = provision(settings)
    assert state(settings) == before
    assert first["keyring"].endswith("(created)")
    assert second["keyring"].endswith("(kept)")


def test_a_stage_gets_its_tables_ttl_queue_sender_and_keyring() -> None:
    settings = load_stage("prod").settings()
    provision(settings)
    snapshot = state(settings)
    assert set(snapshot["tables"]) == {settings.users_table, settings.state_table}
    ttl = snapshot["tables"][settings.state_table]["ttl"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    assert any(url.endswith("/" + settings.queue_name) for url in snapshot["queues"])
    assert settings.mail_sender in snapshot["identities"]
    kind, _version, value = snapshot["keyring"]
    assert kind == "SecureString"
    assert len(parse_keyring(value).current.secret) >= 32


def test_an_existing_keyring_is_never_overwritten() -> None:
    settings = load_stage("dev").settings()
    ssm = boto3.client("ssm")
    existing = '{"current": "' + "k" * 40 + '"}'
    ssm.put_parameter(Name=settings.secret_parameter, Type="SecureString", Value=existing)
    provision(settings)
    parameter = ssm.get_parameter(Name=settings.secret_parameter, WithDecryption=True)
    assert parameter["Parameter"]["Value"] == existing


def test_the_environment_path_makes_no_keyring(settings_from_env: Settings) -> None:
    provision(settings_from_env)
    assert boto3.client("ssm").describe_parameters()["Parameters"] == []


def test_the_command_provisions_the_named_stage() -> None:
    assert provision_module.main(["--stage", "dev"]) == 0
    settings = load_stage("dev").settings()
    assert settings.users_table in boto3.client("dynamodb").list_tables()["TableNames"]


@pytest.fixture
def settings_from_env() -> Settings:
    from chalicelib.settings import get_settings

    return get_settings()
