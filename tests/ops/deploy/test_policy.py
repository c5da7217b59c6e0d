"""Each function's own IAM policy file and settings, as `chalice deploy` uses them.

Expected resources come from each stage's Settings and the Chalice app's own functions, so a
new resource fails here until a policy (ops/deploy/policy.py, then `make policies`) names it;
and each function may do only its part: the API takes no message off the queue and sends no
mail, the bounce handler writes suppression entries and nothing else. (The actions the code
calls: test_policy_actions.py.)
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from chalice.app import SQSEventConfig
from chalice.config import Config
from chalice.test import Client

import app as app_module
from chalicelib.mail.records import SUPPRESS_PREFIX
from chalicelib.settings import Settings, get_settings
from ops.deploy.policy import policy_document, policy_files
from ops.deploy.provision import provision
from ops.stages import Stage, load_config, load_stage
from tests.helpers.awscalls import AWS_CALLS
from tests.helpers.policies import POLICY_STAGES, actions, app_functions, policies


def resources(document: dict[str, Any]) -> set[str]:
    return {r for s in document["Statement"] for r in s["Resource"] if r != "*"}


def log_group(stage: Stage, handler: str) -> str:
    name = stage.function_names()[handler]
    return f"arn:aws:logs:*:*:log-group:/aws/lambda/{name}:*"


def expected_resources(stage: Stage, settings: Settings, handler: str) -> set[str]:
    tables = {
        f"arn:aws:dynamodb:*:*:table/{settings.users_table}",
        f"arn:aws:dynamodb:*:*:table/{settings.state_table}",
        f"arn:aws:dynamodb:*:*:table/{settings.owner.activity_table}",
    }
    keys = {
        f"arn:aws:ssm:*:*:parameter{settings.secret_parameter}",
        "arn:aws:kms:*:*:key/*",  # conditioned on the parameter, see below
    }
    queue = {f"arn:aws:sqs:*:*:{settings.queue_name}"}
    own = {
        "api_handler": tables | queue | keys,
        "mail_worker": tables | queue | keys | {f"arn:aws:ses:*:*:identity/{settings.mail_sender}"},
        "mail_events": {f"arn:aws:dynamodb:*:*:table/{settings.state_table}"},
    }
    return own[handler] | {log_group(stage, handler)}


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_every_function_has_a_policy_file_of_its_own(stage_name: str) -> None:
    stage_config = load_config()["stages"][stage_name]
    assert "iam_policy_file" not in stage_config  # no policy shared by the functions
    assert policy_files(load_stage(stage_name)) == {
        handler: f"policy-{stage_name}-{handler}.json" for handler in app_functions()
    }
    assert load_config()["automatic_layer"] is True


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_each_policy_names_exactly_the_resources_its_function_uses(stage_name: str) -> None:
    stage = load_stage(stage_name)
    settings = stage.settings()
    for handler, document in policies(stage_name).items():
        assert resources(document) == expected_resources(stage, settings, handler), handler
        assert all(s["Effect"] == "Allow" for s in document["Statement"])


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_the_api_sends_to_the_queue_but_takes_nothing_off_it_and_sends_no_mail(
    stage_name: str,
) -> None:
    api = actions(policies(stage_name)["api_handler"])
    assert not {a for a in api if a.startswith("ses:")}
    assert not api & {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"}
    assert {"sqs:SendMessage", "ssm:GetParameter", "dynamodb:UpdateItem"} <= api


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_the_worker_takes_messages_off_its_queue_and_sends_from_the_stage_sender(
    stage_name: str,
) -> None:
    worker = policies(stage_name)["mail_worker"]
    assert {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueUrl",
        "ses:SendRawEmail",
        "ses:GetSendQuota",
        "ssm:GetParameter",  # it signs the reset links it mails
    } <= actions(worker)
    assert "sqs:SendMessage" not in actions(worker)


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_the_bounce_handler_may_only_put_suppression_entries(stage_name: str) -> None:
    settings = load_stage(stage_name).settings()
    statements = policies(stage_name)["mail_events"]["Statement"]
    (entries,) = [s for s in statements if s["Sid"] != "Logs"]
    assert entries["Action"] == ["dynamodb:PutItem"]
    assert entries["Resource"] == [f"arn:aws:dynamodb:*:*:table/{settings.state_table}"]
    assert entries["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{SUPPRESS_PREFIX}*"]}
    }


def test_the_bounce_handler_needs_no_more_than_its_policy(client: Client) -> None:
    """What mail_events does with a bounce: PutItem of `suppress#` keys, nothing else."""
    bounce = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": "gone@example.com", "action": "failed"}],
        },
    }
    calls = AWS_CALLS.record()
    client.lambda_.invoke("mail_events", client.events.generate_sns_event(json.dumps(bounce)))
    AWS_CALLS.recording = False
    assert calls == ["dynamodb.PutItem"]
    state = boto3.client("dynamodb").scan(TableName=get_settings().state_table)["Items"]
    assert [item["pk"]["S"] for item in state] == [f"{SUPPRESS_PREFIX}gone@example.com"]


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_key_decryption_is_pinned_to_the_signing_keys(stage_name: str) -> None:
    settings = load_stage(stage_name).settings()
    for handler in ("api_handler", "mail_worker"):
        statements = policies(stage_name)[handler]["Statement"]
        (decrypt,) = [s for s in statements if "kms:Decrypt" in s["Action"]]
        assert decrypt["Condition"] == {
            "StringLike": {
                "kms:ViaService": "ssm.*.amazonaws.com",
                "kms:EncryptionContext:PARAMETER_ARN": (
                    f"arn:aws:ssm:*:*:parameter{settings.secret_parameter}"
                ),
            }
        }
    assert "kms:Decrypt" not in actions(policies(stage_name)["mail_events"])


def test_every_function_has_its_memory_and_timeout() -> None:
    configured = load_config()["lambda_functions"]
    assert set(configured) == app_functions()
    for settings in configured.values():
        assert set(settings) == {"lambda_memory_size", "lambda_timeout"}


@pytest.mark.parametrize("stage_name", POLICY_STAGES)
def test_the_worker_timeout_fits_the_queue_visibility_timeout(stage_name: str) -> None:
    """SQS requires visibility >= the function timeout; AWS advises six times it."""
    (worker,) = [s.name for s in app_module.app.event_sources if isinstance(s, SQSEventConfig)]
    config = Config(chalice_stage=stage_name, function_name=worker, config_from_disk=load_config())
    settings = load_stage(stage_name).settings()
    provision(settings)
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=settings.queue_name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    visibility = int(attributes["Attributes"]["VisibilityTimeout"])
    assert config.lambda_timeout is not None
    assert visibility >= 6 * config.lambda_timeout


def test_policy_files_are_what_make_policies_writes() -> None:
    for stage_name in POLICY_STAGES:
        stage = load_stage(stage_name)
        names = stage.function_names()
        for handler, document in policies(stage_name).items():
            assert policy_document(stage.settings(), handler, names[handler]) == document
