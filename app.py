"""Microblog accounts on AWS serverless: the table of contents.

HTML pages and the JSON API are Chalice blueprints in chalicelib/web; the mail
worker is the SQS handler below, and SES bounces and complaints arrive on the SNS
handler. All logic lives in chalicelib/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Chalice, Request, Response, SNSEvent, SQSEvent

from chalicelib import suppression, worker
from chalicelib.settings import get_settings
from chalicelib.web.api import api
from chalicelib.web.logging import log_request
from chalicelib.web.pages import pages

settings = get_settings()

app = Chalice(app_name="microblog-accounts")
app.register_blueprint(pages)
app.register_blueprint(api)


@app.middleware("http")
def request_log(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """One structured JSON line per request."""
    return log_request(event, get_response)


@app.on_sqs_message(queue=settings.queue_name, batch_size=10)
def mail_worker(event: SQSEvent) -> dict[str, Any]:
    """Send queued emails; report only the failed records back to SQS."""
    return worker.handle_batch(event.to_dict())


@app.on_sns_message(topic=settings.mail.events_topic)
def mail_events(event: SNSEvent) -> None:
    """SES bounce and complaint notifications: suppress those addresses from now on."""
    suppression.handle_notification(event.message)
