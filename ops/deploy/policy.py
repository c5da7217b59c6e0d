"""The least-privilege IAM policy of each of a stage's Lambda functions, built from its Settings.

python -m ops.deploy.policy    # rewrite the iam_policy_file of every function of every stage

Each function has its own role and policy (Chalice's `lambda_functions.<name>.iam_policy_file`
in a stage of .chalice/config.json), naming each resource it touches and each action it calls:

- the API (api_handler): its tables, SendMessage on the mail queue, the signing keys; no SES,
  and it cannot receive or delete the queue's messages (which hold live reset links);
- the mail worker: receive, delete and back off on its queue, SES send from the stage's sender,
  its tables, the signing keys (it signs the reset links it mails);
- the bounce handler (mail_events): PutItem of suppression entries only, held to the
  `suppress#` keys by dynamodb:LeadingKeys; no keys, no queue, no mail.

The policy files are for `chalice deploy`; `make package` builds the same documents with
CloudFormation ARNs.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalicelib.errors import ConfigError
from chalicelib.mail.records import SUPPRESS_PREFIX
from chalicelib.settings import Settings
from ops.keyring import SECRETS_MANAGER_REFERENCE
from ops.stages import PROJECT_DIR, Stage, cli_logging, load_config, load_stage

log = logging.getLogger("policy")

# (service, resource) -> an ARN: a string for policy files, an Fn::Sub for CloudFormation.
Arn = Callable[[str, str], Any]
Statement = dict[str, Any]

# PynamoDB: Model.get -> GetItem; save (also inside TransactWrite) -> PutItem; update -> UpdateItem.
# delete -> DeleteItem (throttle.clear after a successful login).
TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchGetItem",  # models.read_many: an account with its session; suppressions
    "dynamodb:Query",  # an account's events and sessions (the activity table)
    "dynamodb:BatchWriteItem",  # sign_out.end_all: the sessions' items, once the stamp is new
)
API_QUEUE_ACTIONS = (
    "sqs:GetQueueUrl",  # chalicelib.aws.queue_url
    "sqs:SendMessage",  # queued emails and reset jobs
)
WORKER_QUEUE_ACTIONS = (
    "sqs:GetQueueUrl",  # chalicelib.aws.queue_url_for
    "sqs:ReceiveMessage",  # these three: what Lambda's event source mapping does
    "sqs:DeleteMessage",  # with the worker's role
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",  # the worker's backoff on transient failures
)
SUPPRESSION_ACTIONS = ("dynamodb:PutItem",)  # suppression.suppress (a conditional put)
MAIL_ACTIONS = ("ses:SendRawEmail",)
LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")


def file_arn(service: str, resource: str) -> str:
    """An ARN for a policy file: any region and account (the role's own account applies)."""
    return f"arn:aws:{service}:*:*:{resource}"


def _parameter_resource(name: str) -> str:
    return "parameter" + (name if name.startswith("/") else "/" + name)


def _keyring_statements(parameter: str, arn: Arn) -> list[Statement]:
    """Read the keyring: SSM SecureString, or a Secrets Manager secret through its SSM reference."""
    if not parameter:  # a local stage: SECRET_KEY from the environment
        return []
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


def _allow(sid: str, actions: tuple[str, ...], resources: list[Any]) -> Statement:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resources}


def _tables(settings: Settings, arn: Arn) -> Statement:
    tables = [settings.users_table, settings.state_table, settings.owner.activity_table]
    return _allow("Tables", TABLE_ACTIONS, [arn("dynamodb", f"table/{t}") for t in tables])


def _mail_resources(settings: Settings, arn: Arn) -> list[Any]:
    """SES checks the sender identity and, when one is used, the configuration set."""
    resources = [arn("ses", f"identity/{settings.mail_sender}")]
    if settings.mail.configuration_set:
        resources.append(arn("ses", f"configuration-set/{settings.mail.configuration_set}"))
    return resources


def _api(settings: Settings, arn: Arn) -> list[Statement]:
    queue = [arn("sqs", settings.queue_name)]
    return [
        _tables(settings, arn),
        _allow("MailQueue", API_QUEUE_ACTIONS, queue),
        *_keyring_statements(settings.secret_parameter, arn),
    ]


def _worker(settings: Settings, arn: Arn) -> list[Statement]:
    queue = [arn("sqs", settings.queue_name)]
    return [
        _tables(settings, arn),
        _allow("MailQueue", WORKER_QUEUE_ACTIONS, queue),
        *_keyring_statements(settings.secret_parameter, arn),
        _allow("SendMail", MAIL_ACTIONS, _mail_resources(settings, arn)),
        # Pacing reads the account's sending rate once per container; GetSendQuota names
        # no resource, so IAM accepts only "*" for it.
        _allow("ReadSendQuota", ("ses:GetSendQuota",), ["*"]),
    ]


def _bounces(settings: Settings, arn: Arn) -> list[Statement]:
    """Suppression entries only: every key it may write starts with the `suppress#` prefix.

    ForAllValues is safe here: PutItem always names its key (it would also allow a request
    naming no key at all, such as a Scan, which no action granted here makes).
    """
    statement = _allow(
        "SuppressionEntries",
        SUPPRESSION_ACTIONS,
        [arn("dynamodb", f"table/{settings.state_table}")],
    )
    statement["Condition"] = {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{SUPPRESS_PREFIX}*"]}
    }
    return [statement]


# Chalice handler name -> what its role may do (beyond writing its own log group).
ROLES: dict[str, Callable[[Settings, Arn], list[Statement]]] = {
    "api_handler": _api,
    "mail_worker": _worker,
    "mail_events": _bounces,
}


def policy_document(
    settings: Settings, handler: str, function_name: str, arn: Arn = file_arn
) -> dict[str, Any]:
    """The execution role's policy of one function (Chalice handler name) of a stage."""
    if handler not in ROLES:
        raise ConfigError(f"no IAM policy is defined for function {handler!r} (ops/deploy/policy)")
    statements = ROLES[handler](settings, arn)
    log_group = arn("logs", f"log-group:/aws/lambda/{function_name}:*")
    statements.append(_allow("Logs", LOG_ACTIONS, [log_group]))
    return {"Version": "2012-10-17", "Statement": statements}


def policy_files(stage: Stage) -> dict[str, str]:
    """Chalice handler -> the iam_policy_file the stage names for it."""
    functions = stage.config["stages"][stage.name].get("lambda_functions", {})
    return {
        handler: settings["iam_policy_file"]
        for handler, settings in functions.items()
        if settings.get("iam_policy_file")
    }


def write_policy_files(root: Path = PROJECT_DIR) -> list[Path]:
    """Regenerate every function's iam_policy_file in every stage; returns the paths."""
    written = []
    for name in load_config(root).get("stages", {}):
        stage = load_stage(name, root)
        names = stage.function_names()
        for handler, filename in policy_files(stage).items():
            document = policy_document(stage.settings(), handler, names[handler])
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
