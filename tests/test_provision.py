"""Provisioning of the mail queues: DLQ, redrive policy, visibility, bounce topic. Idempotent."""

from __future__ import annotations

import json
from dataclasses import replace

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses import ses_backends

from chalicelib import aws
from chalicelib.settings import get_settings
from ops.provision import mail_queues, provision


def attributes(url: str) -> dict[str, str]:
    return aws.sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def test_mail_queue_dead_letters_after_max_receives() -> None:
    result = provision(get_settings())  # a second run, after the fixture's: changes nothing
    queue, dead = attributes(result["queue_url"]), attributes(result["dlq_url"])
    policy = json.loads(queue["RedrivePolicy"])
    assert policy["deadLetterTargetArn"] == dead["QueueArn"]
    assert int(policy["maxReceiveCount"]) == get_settings().mail.max_receives == 10
    assert queue["VisibilityTimeout"] == "0"  # the tests' setting; production: 360
    assert dead["MessageRetentionPeriod"] == str(14 * 24 * 3600)
    assert dead["QueueArn"].endswith(":test-mail-dlq")


def test_rerun_with_new_settings_updates_the_existing_queue() -> None:
    settings = get_settings()
    changed = replace(settings, mail=replace(settings.mail, max_receives=3, visibility_timeout=360))
    url, _ = mail_queues(aws.sqs(), changed)
    queue = attributes(url)
    assert json.loads(queue["RedrivePolicy"])["maxReceiveCount"] in (3, "3")
    assert queue["VisibilityTimeout"] == "360"
    mail_queues(aws.sqs(), settings)  # and back
    assert attributes(url)["VisibilityTimeout"] == "0"


def test_ses_publishes_bounces_and_complaints_to_the_events_topic() -> None:
    topic = provision(get_settings())["mail_events_topic"]
    assert topic.endswith(":test-mail-events")
    sns = boto3.client("sns", region_name="us-east-1")
    assert topic in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    # moto's GetIdentityNotificationAttributes leaves the topics out: read its backend.
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    assert backend.sns_topics["no-reply@example.com"] == {"Bounce": topic, "Complaint": topic}
