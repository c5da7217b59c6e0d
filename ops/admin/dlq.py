"""List the dead-lettered mail messages, and redrive them to the mail queue.

python -m ops.admin.dlq --stage prod            # list: id, kind, recipient (masked), subject,
                                                #   receives, last error (`make dlq STAGE=prod`)
python -m ops.admin.dlq --stage prod --redrive  # move every dead letter back to the mail queue
python -m ops.admin.dlq --stage prod --redrive --id MESSAGE_ID [--id ...]  # only these

The stage's queue names and state table come from .chalice/config.json (ops/admin/stage.py;
`--stage local` is `make dev`'s; without --stage, from the environment). Listing receives each
message once with a short visibility timeout and then makes it visible again, so it changes
nothing. Redrive sends a copy to the mail queue (with the original message id as the
`origin-message-id` attribute, so a redriven reset job yields the same email id) and deletes
the dead letter only after the copy is queued.
SQS's StartMessageMoveTask would move the messages too, but moto 5.2 lacks it and it cannot
attach that attribute.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist

from chalicelib import aws
from chalicelib.auth.password_reset import RESET_REQUESTED, RESET_SUBJECT
from chalicelib.logs import mask_address
from chalicelib.mail.composing import EMAIL_MESSAGE
from chalicelib.mail.records import FAILURE_PREFIX, MailFailure
from chalicelib.settings import get_settings
from chalicelib.worker import ORIGIN_ATTRIBUTE
from ops.admin.stage import add_stage_argument, use_stage
from ops.cli import operator_errors
from ops.stages import cli_logging

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

log = logging.getLogger("dlq")

LIST_VISIBILITY_SECONDS = 30


@dataclass(frozen=True)
class DeadLetter:
    """What an operator needs to know about one dead-lettered message."""

    message_id: str
    kind: str
    recipient: str
    subject: str
    receives: int
    error: str


def _describe(body: str) -> tuple[str, str, str]:
    """(kind, masked recipient, subject) of a queue message body, whatever shape it has."""
    try:
        message: Any = json.loads(body)
    except json.JSONDecodeError:
        return "not JSON", "-", "-"
    if not isinstance(message, dict):
        return "not an object", "-", "-"
    kind = str(message.get("type", "?"))
    if kind == EMAIL_MESSAGE:
        recipients = message.get("recipients")
        first = recipients[0] if isinstance(recipients, list) and recipients else ""
        more = (
            f" (+{len(recipients) - 1})"
            if isinstance(recipients, list) and len(recipients) > 1
            else ""
        )
        recipient = mask_address(str(first)) + more if first else "-"
        return kind, recipient, str(message.get("subject", "-"))
    if kind == RESET_REQUESTED:
        return kind, mask_address(str(message.get("email", ""))), RESET_SUBJECT
    return kind, "-", "-"


def _failure(message_id: str) -> tuple[str, int]:
    try:
        note = MailFailure.get(FAILURE_PREFIX + message_id)
    except DoesNotExist:
        return "(no failure noted)", 0
    return f"{note.kind}: {note.error}", int(note.receive_count)


def dlq_url(sqs: SQSClient) -> str:
    return sqs.get_queue_url(QueueName=get_settings().mail.dlq_name)["QueueUrl"]


def _receive_all(sqs: SQSClient, url: str, wait_seconds: int) -> list[MessageTypeDef]:
    """Every message currently visible, each once (hidden for LIST_VISIBILITY_SECONDS).

    `wait_seconds` > 0 long-polls, so a real SQS queue answers from all its servers.
    """
    seen: dict[str, MessageTypeDef] = {}
    while True:
        messages = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=LIST_VISIBILITY_SECONDS,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:
            return list(seen.values())
        seen.update((m["MessageId"], m) for m in fresh)


def list_dead_letters(sqs: SQSClient, url: str, wait_seconds: int = 0) -> list[DeadLetter]:
    """Describe every dead letter, then make them all visible again."""
    messages = _receive_all(sqs, url, wait_seconds)
    letters = []
    for m in messages:
        kind, recipient, subject = _describe(m["Body"])
        error, receives = _failure(m["MessageId"])
        letters.append(DeadLetter(m["MessageId"], kind, recipient, subject, receives, error))
    _show_again(sqs, url, messages)
    return letters


def _show_again(sqs: SQSClient, url: str, messages: list[MessageTypeDef]) -> None:
    for start in range(0, len(messages), 10):
        sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(messages[start : start + 10])
            ],
        )


def redrive(
    sqs: SQSClient,
    url: str,
    target_url: str,
    only: set[str] | None = None,
    wait_seconds: int = 0,
) -> int:
    """Move dead letters (all, or those whose ids are in `only`) back; returns how many."""
    moved = 0
    messages = _receive_all(sqs, url, wait_seconds)
    _show_again(sqs, url, [m for m in messages if only is not None and m["MessageId"] not in only])
    for m in messages:
        if only is not None and m["MessageId"] not in only:
            continue
        previous = m.get("MessageAttributes", {}).get(ORIGIN_ATTRIBUTE)
        origin = (previous.get("StringValue") if previous else None) or m["MessageId"]
        sqs.send_message(
            QueueUrl=target_url,
            MessageBody=m["Body"],
            MessageAttributes={ORIGIN_ATTRIBUTE: {"DataType": "String", "StringValue": origin}},
        )
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        moved += 1
    return moved


def format_letters(letters: list[DeadLetter]) -> str:
    if not letters:
        return "The dead-letter queue is empty."
    lines = [f"{len(letters)} dead-lettered message(s):"]
    for d in letters:
        lines.append(
            f"- {d.message_id}  {d.kind}  to {d.recipient}  subject {d.subject!r}  "
            f"receives {d.receives}  last error: {d.error}"
        )
    return "\n".join(lines)


@operator_errors("dlq")
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make dlq", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--redrive", action="store_true", help="move dead letters back to the queue"
    )
    parser.add_argument("--id", action="append", help="with --redrive: only this message id")
    add_stage_argument(parser)
    args = parser.parse_args(argv)
    cli_logging()
    use_stage(args.stage)
    sqs = aws.sqs()
    url = dlq_url(sqs)
    if args.redrive:
        only = set(args.id) if args.id else None
        moved = redrive(sqs, url, aws.queue_url(), only=only, wait_seconds=1)
        log.info("redrove %d message(s) to %s", moved, get_settings().queue_name)
    else:
        log.info("%s", format_letters(list_dead_letters(sqs, url, wait_seconds=1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
