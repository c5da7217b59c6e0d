"""Create what Chalice does not, from ops/deploy/resources.py's declaration: a boto3 call per type.

`make provision`, `make deploy` and `make dev` (AWS_ENDPOINT_URL: a moto server) run this; the
CloudFormation path deploys the same declaration as a template. Re-runnable: a resource is
created when missing and brought to its declared properties when it exists, so a second
run against a stage changes nothing. Where the paths differ on purpose (the keyring, the
bounce and complaint notifications), the translating function says why.

python -m ops.deploy.provision                # settings from the environment (make dev, tests)
python -m ops.deploy.provision --stage prod   # settings from .chalice/config.json's stage
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.errors import ConfigError
from chalicelib.settings import Settings, get_settings
from ops.cli import operator_errors
from ops.deploy import provision_watch
from ops.deploy import resources as declared
from ops.deploy.monitoring import Watched
from ops.deploy.provisioner import Creator, Made, Provisioner
from ops.keyring import KeyStore
from ops.stages import cli_logging, load_stage

log = logging.getLogger("provision")

_QUEUE_EXISTS = ("QueueAlreadyExists", "AWS.SimpleQueueService.QueueNameExists")
# SES identity notification types for the configuration-set event types that have one.
_NOTIFICATION_TYPES = {"bounce": "Bounce", "complaint": "Complaint", "delivery": "Delivery"}


def _table(p: Provisioner, properties: dict[str, Any]) -> Made:
    """Create the table, then bring TTL and point-in-time recovery to the declaration."""
    dynamodb = p.client("dynamodb")
    name = properties["TableName"]
    if name not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=properties["AttributeDefinitions"],
            KeySchema=properties["KeySchema"],
            BillingMode=properties["BillingMode"],
            SSESpecification={"Enabled": properties["SSESpecification"]["SSEEnabled"]},
        )
        dynamodb.get_waiter("table_exists").wait(TableName=name)
        log.info("created table %s", name)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        status = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if status.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    pitr = properties.get("PointInTimeRecoverySpecification")
    if pitr and pitr["PointInTimeRecoveryEnabled"]:
        backups = dynamodb.describe_continuous_backups(TableName=name)
        description = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        if description["PointInTimeRecoveryStatus"] != "ENABLED":
            dynamodb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification=pitr
            )
    arn = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
    return Made(name, {"Arn": arn})


def queue_attributes(properties: dict[str, Any]) -> dict[str, str]:
    """CloudFormation's queue properties as SQS attributes (strings; the policy as JSON)."""
    attributes: dict[str, str] = {}
    for key, value in properties.items():
        if key == "QueueName":
            continue
        if isinstance(value, dict):
            attributes[key] = json.dumps(value)
        elif isinstance(value, bool):
            attributes[key] = str(value).lower()
        else:
            attributes[key] = str(value)
    return attributes


def _queue(p: Provisioner, properties: dict[str, Any]) -> Made:
    """Create the queue, or bring an existing one to the declared attributes."""
    sqs = p.client("sqs")
    name, attributes = properties["QueueName"], queue_attributes(properties)
    try:
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in _QUEUE_EXISTS:
            raise
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
        log.info("updated queue %s", name)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return Made(url, {"Arn": arn["QueueArn"], "QueueName": name, "QueueUrl": url})


def _topic(p: Provisioner, properties: dict[str, Any]) -> Made:
    arn = p.client("sns").create_topic(Name=properties["TopicName"])["TopicArn"]
    return Made(arn, {"TopicArn": arn, "TopicName": properties["TopicName"]})


def _verification_status(ses: Any, address: str) -> str | None:
    found = ses.get_identity_verification_attributes(Identities=[address])["VerificationAttributes"]
    return str(found[address]["VerificationStatus"]) if address in found else None


def _email_identity(p: Provisioner, properties: dict[str, Any]) -> Made:
    """Ask SES to verify the address unless verified or pending (SES mails a link each ask)."""
    ses, address = p.client("ses"), properties["EmailIdentity"]
    status = _verification_status(ses, address)
    if status not in ("Success", "Pending"):
        ses.verify_email_identity(EmailAddress=address)
        status = _verification_status(ses, address) or "Pending"
        if status != "Success":  # an emulator verifies at once: no link to open there
            log.info("asked SES to verify %s: open the link AWS mails to it", address)
    return Made(address, note=f"{address} ({status})")


def _configuration_set(p: Provisioner, properties: dict[str, Any]) -> Made:
    """Created only when the stage sends with it (SES_CONFIGURATION_SET): the app names a
    configuration set only then, and an unused one would be clutter in the account."""
    name = properties["Name"]
    if name != p.settings.mail.configuration_set:
        return Made(name, note="not used by this stage (SES_CONFIGURATION_SET unset)")
    try:
        p.client("ses").create_configuration_set(ConfigurationSet={"Name": name})
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConfigurationSetAlreadyExists":
            raise
    return Made(name)


def _event_destination(p: Provisioner, properties: dict[str, Any]) -> Made:
    """The declared events reach the topic as SES identity notifications of the sender.

    Configuration-set events fire only for mail sent with that set, and on this path the
    app sends with one only when SES_CONFIGURATION_SET is set; identity notifications cover
    every message from the identity. (chalicelib/suppression.py reads both formats.)
    """
    destination = properties["EventDestination"]
    topic = destination["SnsDestination"]["TopicARN"]
    kinds = []
    for event in destination["MatchingEventTypes"]:
        if event not in _NOTIFICATION_TYPES:
            raise ConfigError(f"SES event type {event!r} has no identity notification")
        kinds.append(_NOTIFICATION_TYPES[event])
    identities = [
        resource["Properties"]["EmailIdentity"]
        for resource in p.resources.values()
        if resource["Type"] == declared.EMAIL_IDENTITY
    ]
    for identity in identities:
        for kind in kinds:
            p.client("ses").set_identity_notification_topic(
                Identity=identity, NotificationType=kind, SnsTopic=topic
            )
    return Made(destination["Name"], note=f"{', '.join(kinds)} of {', '.join(identities)}")


def _keyring(p: Provisioner, properties: dict[str, Any]) -> Made:
    """The keyring as an SSM SecureString named SECRET_KEY_PARAMETER, which `chalice deploy`'s
    functions read directly (CloudFormation cannot create a SecureString: its path makes the
    declared Secrets Manager secret). An existing keyring is never overwritten."""
    parameter = p.settings.secret_parameter
    created = KeyStore(parameter, p.settings.region).create()
    return Made(parameter, note=f"{parameter} ({'created' if created else 'kept'})")


CREATORS: dict[str, Creator] = {
    declared.TABLE: _table,
    declared.QUEUE: _queue,
    declared.TOPIC: _topic,
    declared.EMAIL_IDENTITY: _email_identity,
    declared.CONFIGURATION_SET: _configuration_set,
    declared.EVENT_DESTINATION: _event_destination,
    declared.KEYRING: _keyring,
    **provision_watch.CREATORS,
}


def provision(settings: Settings, watched: Watched | None = None) -> dict[str, str]:
    """Create (or bring up to date) every declared resource; logical id -> name, URL or ARN.

    `watched`: a deployed stage's functions, to create what watches them as well.
    """
    return Provisioner(settings, declared.stage_resources(settings, watched)).run(CREATORS)


@operator_errors("provisioning")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create what Chalice does not. Idempotent.")
    parser.add_argument("--stage", help="a stage of .chalice/config.json (default: environment)")
    args = parser.parse_args(argv)
    cli_logging()
    if args.stage:
        stage = load_stage(args.stage)
        result = provision(stage.settings(), Watched.of(stage))
    else:
        result = provision(get_settings())
    for name, value in result.items():
        log.info("%s: %s", name, value)
    return 0


if __name__ == "__main__":
    sys.exit(main())
