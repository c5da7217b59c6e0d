"""Send queued emails through SES."""

from __future__ import annotations

from chalicelib.aws import ses
from chalicelib.mailer import QueuedEmail


def deliver(email: QueuedEmail) -> str:
    """Hand one email to SES as raw MIME; returns SES's message id."""
    mime = email.to_mime()
    response = ses().send_raw_email(
        Source=email.sender,
        Destinations=email.all_recipients,
        RawMessage={"Data": mime.as_bytes()},
    )
    return response["MessageId"]
