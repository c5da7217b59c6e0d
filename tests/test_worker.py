"""The SQS handler: generated events in, SES sends and per-record failures out."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from tests.conftest import reset_token_from, sent_mail


def _email(recipient: str, message_id: str = "m-1") -> str:
    return json.dumps(
        {
            "type": "email",
            "id": message_id,
            "subject": "[Microblog] Hello",
            "sender": "no-reply@example.com",
            "recipients": [recipient],
            "text_body": "Dear you,",
            "html_body": "<p>Dear you,</p>",
        }
    )


def _event(bodies: list[str]) -> dict[str, Any]:
    """An SQS event whose records have distinct ids (chalice's generator repeats one)."""
    return {
        "Records": [
            {
                "messageId": f"id-{i}",
                "receiptHandle": f"rh-{i}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:test-mail",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def test_handler_sends_a_queued_email_through_ses(client: Client) -> None:
    event = client.events.generate_sqs_event([_email("a@example.com")], queue_name="test-mail")
    result = client.lambda_.invoke("mail_worker", event).payload
    assert result == {"batchItemFailures": []}
    [mail] = sent_mail()
    assert mail.destinations[0] == "a@example.com"
    assert mail.message["Subject"] == "[Microblog] Hello"
    assert mail.part("plain").strip() == "Dear you,"


def test_only_the_bad_records_are_reported(client: Client) -> None:
    bodies = [_email("a@example.com", "m-1"), "not json", '{"type": "nope"}', "[]"]
    bodies.append(_email("b@example.com", "m-2"))
    result = client.lambda_.invoke("mail_worker", _event(bodies)).payload
    failures = {item["itemIdentifier"] for item in result["batchItemFailures"]}
    assert failures == {"id-1", "id-2", "id-3"}
    assert sorted(m.destinations[0] for m in sent_mail()) == ["a@example.com", "b@example.com"]


def test_reset_job_for_an_unknown_address_sends_nothing(client: Client) -> None:
    job = json.dumps({"type": "password_reset_requested", "email": "nobody@example.com"})
    result = client.lambda_.invoke("mail_worker", _event([job])).payload
    assert result == {"batchItemFailures": []}
    assert sent_mail() == []


def test_reset_job_for_a_known_address_queues_the_reset_email(
    client: Client, susan: dict[str, Any]
) -> None:
    job = json.dumps({"type": "password_reset_requested", "email": "SUSAN@example.com"})
    client.lambda_.invoke("mail_worker", _event([job]))
    assert sent_mail() == []  # the rendered email is queued, not sent, by the job
    from tests.conftest import drain_queue

    assert drain_queue() == 1
    [mail] = sent_mail()
    assert mail.destinations[0] == "Susan@example.com"  # the stored address
    assert reset_token_from(mail)
