"""boto3 clients, created lazily and once per container."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import boto3

from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_ses import SESClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient


@functools.cache
def sqs() -> SQSClient:
    """The SQS client (honours AWS_ENDPOINT_URL)."""
    return boto3.client("sqs", region_name=get_settings().region)


@functools.cache
def ses() -> SESClient:
    """The SES client (honours AWS_ENDPOINT_URL)."""
    return boto3.client("ses", region_name=get_settings().region)


@functools.cache
def dynamodb() -> DynamoDBClient:
    """The DynamoDB client, for the reads PynamoDB cannot batch (several tables at once)."""
    return boto3.client("dynamodb", region_name=get_settings().region)


@functools.cache
def ssm() -> SSMClient:
    """The SSM client, for the signing key parameter."""
    return boto3.client("ssm", region_name=get_settings().region)


@functools.cache
def queue_url() -> str:
    """The mail queue's URL, looked up by name once."""
    return sqs().get_queue_url(QueueName=get_settings().queue_name)["QueueUrl"]


@functools.cache
def queue_url_for(queue_arn: str) -> str:
    """A queue's URL from its ARN (arn:aws:sqs:region:account:name), looked up once."""
    _, _, _, _, account, name = queue_arn.split(":", 5)
    return sqs().get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
