"""Microblog accounts on AWS serverless: the table of contents.

HTML pages and the JSON API are Chalice blueprints in chalicelib/web; the mail worker is
the SQS handler below, and SES bounces and complaints arrive on the SNS handler. All logic
lives in chalicelib/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Chalice, Request, Response, SNSEvent, SQSEvent

from chalicelib import metrics
from chalicelib.mail import suppression
from chalicelib.settings import resource_names
from chalicelib.web import cors, fallbacks
from chalicelib.web.account_api import account_api
from chalicelib.web.account_pages import account_pages
from chalicelib.web.api import api
from chalicelib.web.email_pages import email_pages
from chalicelib.web.events_api import events_api
from chalicelib.web.http import security_headers
from chalicelib.web.pages import pages
from chalicelib.web.request_log import log_request
from chalicelib.web.reset_pages import reset_pages
from chalicelib.web.security_pages import security_pages
from chalicelib.web.session_api import session_api

# Chalice wires the event sources from these names when it deploys or packages the app,
# so they are read here; every other setting is read on first use (chalicelib.settings).
names = resource_names()

app = Chalice(app_name="microblog-accounts")
app.register_blueprint(pages)
app.register_blueprint(reset_pages)
app.register_blueprint(email_pages)
app.register_blueprint(security_pages)
app.register_blueprint(api)
app.register_blueprint(account_pages)
app.register_blueprint(account_api)
app.register_blueprint(events_api)
app.register_blueprint(session_api)
cors.answer_preflights(app)  # an OPTIONS route on every path (chalicelib/web/cors.py)


@app.middleware("all")
def publish_metrics(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Every handler's metrics as EMF lines once its invocation ends (chalicelib/metrics.py)."""
    try:
        return get_response(event)
    finally:
        metrics.flush()


@app.middleware("http")
def request_log(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """One structured JSON line per request (outermost: it logs the final answer)."""
    return log_request(event, get_response)


@app.middleware("http")
def secure_transport(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Strict-Transport-Security on every answer of an https site."""
    return security_headers(get_response(event))


@app.middleware("http")
def cross_origin(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """The JSON API's answers to a browser app of an allowed origin say so (CORS)."""
    return cors.cross_origin(event, get_response(event))


@app.middleware("http")
def own_shapes(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Chalice's own error answers in ours: problem details for the API, pages for people."""
    return fallbacks.reshape(event, get_response)


@app.on_sqs_message(queue=names.queue, batch_size=10)
def mail_worker(event: SQSEvent) -> dict[str, Any]:
    """Send queued emails; report only the failed records back to SQS."""
    from chalicelib import worker  # here, so the API's cold start skips the batch machinery

    return worker.handle_batch(event.to_dict())


@app.on_sns_message(topic=names.events_topic)
def mail_events(event: SNSEvent) -> None:
    """SES bounce and complaint notifications: suppress those addresses from now on."""
    suppression.handle_notification(event.message)
