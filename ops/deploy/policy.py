"""The least-privilege IAM policy of a stage's Lambda functions, built from its Settings.

python -m ops.deploy.policy    # rewrite .chalice/policy-<stage>.json for every stage that names one

Chalice's autogen_policy guesses from boto3 calls it can see; we name each resource
the code touches and each action it calls, nothing broader. The policy files are for
`chalice deploy`; `make package` builds the same document with CloudFormation ARNs.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from chalicelib.settings import Settings
from ops.keyring import SECRETS_MANAGER_REFERENCE
from ops.stages import PROJECT_DIR, cli_logging, load_config, load_stage

log = logging.getLogger("policy")

# (service, resource) -> an ARN: a string for policy files, an Fn::Sub for CloudFormation.
Arn = Callable[[str, str], Any]

# PynamoDB: Model.get -> GetItem; save (also inside TransactWrite) -> PutItem; update -> UpdateItem.
# delete -> DeleteItem (throttle.clear after a successful login).
TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchGetItem",  # Suppression.batch_get: the suppression list
)
QUEUE_ACTIONS = (
    "sqs:GetQueueUrl",  # chalicelib.aws.queue_url
    "sqs:SendMessage",  # mailer / password_reset queue work
    "sqs:ReceiveMessage",  # the rest is what Lambda's event source mapping does
    "sqs:DeleteMessage",  # with the worker's role
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",  # the worker's backoff on transient failures
)
MAIL_ACTIONS = ("ses:SendRawEmail",)
LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")


def file_arn(service: str, resource: str) -> str:
    """An ARN for a policy file: any region and account (the role's own account applies)."""
    return f"arn:aws:{service}:*:*:{resource}"


def _parameter_resource(name: str) -> str:
    return "parameter" + (name if name.startswith("/") else "/" + name)


def _keyring_statements(parameter: str, arn: Arn) -> list[dict[str, Any]]:
    """Read the keyring: SSM SecureString, or a Secrets Manager secret through its SSM reference."""
    actions, resources = ["ssm:GetParameter"], [arn("ssm", _parameter_resource(parameter))]
    if parameter.startswith(SECRETS_MANAGER_REFERENCE):
        # Secret ARNs end in a random 6-character suffix.
        secret = arn(
            "secretsmanager", f"secret:{parameter.removeprefix(SECRETS_MANAGER_REFERENCE)}-??????"
        )
        actions.append("secretsmanager:GetSecretValue")
        resources.append(secret)
        via, context_key, context = "secretsmanager", "SecretARN", secret
    else:
        via, context_key, context = "ssm", "PARAMETER_ARN", resources[0]
    read = {"Sid": "ReadSigningKeys", "Effect": "Allow", "Action": actions, "Resource": resources}
    # Only needed with a customer managed KMS key; conditions pin it to this one secret.
    decrypt = {
        "Sid": "DecryptSigningKeys",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [arn("kms", "key/*")],
        "Condition": {
            "StringLike": {
                "kms:ViaService": f"{via}.*.amazonaws.com",
                f"kms:EncryptionContext:{context_key}": context,
            }
        },
    }
    return [read, decrypt]


def _mail_resources(settings: Settings, arn: Arn) -> list[Any]:
    """SES checks the sender identity and, when one is used, the configuration set."""
    resources = [arn("ses", f"identity/{settings.mail_sender}")]
    if settings.mail.configuration_set:
        resources.append(arn("ses", f"configuration-set/{settings.mail.configuration_set}"))
    return resources


def policy_document(
    settings: Settings, function_names: Iterable[str], arn: Arn = file_arn
) -> dict[str, Any]:
    """The execution role's policy for functions running with `settings`."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "Tables",
            "Effect": "Allow",
            "Action": list(TABLE_ACTIONS),
            "Resource": [
                arn("dynamodb", f"table/{settings.users_table}"),
                arn("dynamodb", f"table/{settings.state_table}"),
            ],
        },
        {
            "Sid": "MailQueue",
            "Effect": "Allow",
            "Action": list(QUEUE_ACTIONS),
            "Resource": [arn("sqs", settings.queue_name)],
        },
    ]
    if settings.secret_parameter:
        statements += _keyring_statements(settings.secret_parameter, arn)
    statements += [
        {
            "Sid": "SendMail",
            "Effect": "Allow",
            "Action": list(MAIL_ACTIONS),
            "Resource": _mail_resources(settings, arn),
        },
        {
            # The worker's pacing reads the account's sending rate once per container;
            # GetSendQuota names no resource, so IAM accepts only "*" for it.
            "Sid": "ReadSendQuota",
            "Effect": "Allow",
            "Action": ["ses:GetSendQuota"],
            "Resource": ["*"],
        },
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": list(LOG_ACTIONS),
            "Resource": [
                arn("logs", f"log-group:/aws/lambda/{name}:*") for name in sorted(function_names)
            ],
        },
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def write_policy_files(root: Path = PROJECT_DIR) -> list[Path]:
    """Regenerate the iam_policy_file of every stage that names one; returns the paths."""
    written = []
    for name, stage_config in load_config(root).get("stages", {}).items():
        filename = stage_config.get("iam_policy_file")
        if not filename:
            continue
        stage = load_stage(name, root)
        document = policy_document(stage.settings(), stage.function_names().values())
        path = root / ".chalice" / filename
        path.write_text(json.dumps(document, indent=2) + "\n")
        written.append(path)
    return written


def main() -> int:
    cli_logging()
    for path in write_policy_files():
        log.info("wrote %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
