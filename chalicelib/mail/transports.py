"""Mail transports: SES and SMTP. Each sends one MIME message and sorts failures in two.

TransientDeliveryError (throttling, 5xx, 4xx SMTP replies, network) means "the queue should
retry later"; PermanentDeliveryError (rejected message, bad address, unverified sender,
5xx SMTP replies) means "retrying will not help": the message ends in the dead-letter queue.
"""

from __future__ import annotations

import functools
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.errors import PermanentDeliveryError, ThrottledError, TransientDeliveryError
from chalicelib.logs import logger as log
from chalicelib.mail_settings import MailSettings
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_ses import SESClient
    from mypy_boto3_ses.type_defs import SendRawEmailRequestTypeDef


# SES error codes that say "slow down": retried in place after a pause (mail/pacing.py).
THROTTLING_SES_CODES = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException"})
# SES error codes worth a retry; any other 4xx is the message's or the account's fault.
TRANSIENT_SES_CODES = THROTTLING_SES_CODES | frozenset(
    {
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalServerError",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


class Transport(Protocol):
    """Hands one message to a mail provider; returns the provider's id for it."""

    def send(self, sender: str, recipients: Sequence[str], message: EmailMessage) -> str: ...


def classify_ses_error(exc: ClientError) -> TransientDeliveryError | PermanentDeliveryError:
    """Throttling and 5xx are transient; everything else SES refuses is permanent."""
    error = exc.response.get("Error", {})
    code = error.get("Code", "Unknown")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    text = f"SES {code}: {error.get('Message', '')}".strip()
    if code in THROTTLING_SES_CODES:
        return ThrottledError(text)
    if code in TRANSIENT_SES_CODES or status >= 500:
        return TransientDeliveryError(text)
    return PermanentDeliveryError(text)


class SesTransport:
    """SES SendRawEmail, with the optional configuration set."""

    def __init__(self, client: SESClient | None = None, configuration_set: str = "") -> None:
        self._client = client
        self._configuration_set = configuration_set

    def send(self, sender: str, recipients: Sequence[str], message: EmailMessage) -> str:
        client = self._client or aws.ses()
        request: SendRawEmailRequestTypeDef = {
            "Source": sender,
            "Destinations": list(recipients),
            "RawMessage": {"Data": _raw(message, "SES")},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            response = client.send_raw_email(**request)
        except ClientError as exc:
            raise classify_ses_error(exc) from exc
        except BotoCoreError as exc:
            raise TransientDeliveryError(f"SES unreachable: {type(exc).__name__}") from exc
        return response["MessageId"]


def _raw(message: EmailMessage, provider: str) -> bytes:
    """The message's bytes; one that cannot be serialised is refused for good, with why."""
    try:
        return message.as_bytes()
    except (UnicodeError, ValueError) as exc:
        raise PermanentDeliveryError(f"{provider} cannot encode the message: {exc}") from None


def classify_smtp_code(code: int, text: str) -> TransientDeliveryError | PermanentDeliveryError:
    """5xx replies are permanent; 4xx (and anything odd) are worth a retry."""
    if 500 <= code < 600:
        return PermanentDeliveryError(text)
    return TransientDeliveryError(text)


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"SMTP {code} {text}".strip()


def _smtp_failure(
    exc: smtplib.SMTPException | OSError, missing: str, stage: str
) -> TransientDeliveryError | PermanentDeliveryError:
    """Sort an smtplib failure: replies by their code, a missing extension is permanent,
    anything else (network, protocol) is transient."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # Every recipient refused; if any refusal is a 4xx, a retry may still get through.
        code, reply = min(exc.recipients.values(), default=(0, b""))
        return classify_smtp_code(code, _reply(code, reply))
    if isinstance(exc, smtplib.SMTPResponseException):
        return classify_smtp_code(exc.smtp_code, _reply(exc.smtp_code, exc.smtp_error))
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return PermanentDeliveryError(f"SMTP server does not {missing}")
    return TransientDeliveryError(f"SMTP {stage}: {type(exc).__name__}")


class SmtpTransport:
    """SMTP with Flask-Mail's settings: MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS/SSL, credentials."""

    def __init__(self, settings: MailSettings, ssl_context: ssl.SSLContext | None = None) -> None:
        self._settings = settings
        self._ssl_context = ssl_context

    def _context(self) -> ssl.SSLContext:
        return self._ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        if s.use_ssl:
            return smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout, context=self._context())
        smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
        if s.use_tls:
            try:
                smtp.starttls(context=self._context())
            except (smtplib.SMTPException, OSError):
                smtp.close()
                raise
        return smtp

    def send(self, sender: str, recipients: Sequence[str], message: EmailMessage) -> str:
        try:
            smtp = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            raise _smtp_failure(exc, missing="offer STARTTLS", stage="unreachable") from None
        try:
            self._deliver(smtp, sender, recipients, message)
        finally:
            _quit(smtp)
        return str(message["Message-ID"])

    def _deliver(
        self, smtp: smtplib.SMTP, sender: str, recipients: Sequence[str], message: EmailMessage
    ) -> None:
        s = self._settings
        try:
            if s.username:
                smtp.login(s.username, s.password)
            refused = smtp.sendmail(sender, list(recipients), _raw(message, "SMTP"))
        except UnicodeEncodeError as exc:
            # smtplib speaks ASCII: a non-ASCII envelope address can never be sent this way.
            raise PermanentDeliveryError(f"SMTP cannot encode an address: {exc.reason}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise _smtp_failure(exc, missing="support AUTH", stage="failed") from None
        if refused:
            # Some recipients got it: a retry would mail them twice, so this counts as sent.
            log.warning("SMTP refused %d of %d recipients", len(refused), len(recipients))


def _quit(smtp: smtplib.SMTP) -> None:
    """Say goodbye; the message is already accepted or refused, so errors here change nothing."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


@functools.cache
def get_transport() -> Transport:
    """The configured transport (MAIL_TRANSPORT), built once per container."""
    mail = get_settings().mail
    if mail.transport == "smtp":
        return SmtpTransport(mail)
    return SesTransport(configuration_set=mail.configuration_set)
