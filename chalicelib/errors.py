"""Every failure the app raises on purpose: one root, one small class per failure.

Each carries the `code` a client of the JSON API reads in its answer's `error` member: the
class's own, or a finer one given where it is raised (a password too short, a name taken).
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Every `error` code an answer of the JSON API carries: one per failure a client can act
    on (docs/api.md says what each means; the OpenAPI document lists them as an enum)."""

    INVALID_REQUEST = "invalid_request"
    INVALID_JSON = "invalid_json"
    FIELD_REQUIRED = "field_required"
    PASSWORD_TOO_SHORT = "password_too_short"  # noqa: S105 (a code, not a secret)
    PASSWORD_TOO_LONG = "password_too_long"  # noqa: S105 (a code, not a secret)
    PASSWORD_TOO_COMMON = "password_too_common"  # noqa: S105 (a code, not a secret)
    PASSWORD_LIKE_USERNAME = "password_like_username"  # noqa: S105 (a code, not a secret)
    USERNAME_INVALID = "username_invalid"
    EMAIL_INVALID = "email_invalid"
    EMAIL_LOCAL_PART_NOT_ASCII = "email_local_part_not_ascii"
    LOCALE_UNSUPPORTED = "locale_unsupported"
    USERNAME_TAKEN = "username_taken"
    EMAIL_TAKEN = "email_taken"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 (a code, not a secret)
    UNAUTHORIZED = "unauthorized"
    SESSION_ENDED = "session_ended"
    TOO_MANY_REQUESTS = "too_many_requests"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    SERVER_ERROR = "server_error"


class AppError(Exception):
    """Root of the errors this app raises on purpose."""

    code = ErrorCode.SERVER_ERROR  # what an API client is told, unless a subclass knows better


class ConfigError(AppError):
    """The environment is missing or holds an unusable setting."""


class ValidationError(AppError):
    """Input was malformed; the message says what to fix."""

    code = ErrorCode.INVALID_REQUEST

    def __init__(
        self, message: str, field: str | None = None, code: ErrorCode | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class PasswordPolicyError(ValidationError):
    """A new password does not meet the password policy."""


class ConflictError(AppError):
    """A username or email address is already registered."""

    code = ErrorCode.USERNAME_TAKEN

    def __init__(self, message: str, field: str, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class AddressTakenError(ConflictError):
    """A confirmed change of address found the new address registered to another account."""

    code = ErrorCode.EMAIL_TAKEN


class AuthenticationError(AppError):
    """Credentials or an access token were not accepted."""

    code = ErrorCode.UNAUTHORIZED


class SessionEndedError(AuthenticationError):
    """A signed-in session gave too many wrong passwords: it must sign in again."""

    code = ErrorCode.SESSION_ENDED


class RefreshRefusedError(AuthenticationError):
    """A refresh token was not accepted: forged, expired, of an ended session, or spent."""

    code = ErrorCode.INVALID_TOKEN


class NotFoundError(AppError):
    """What was asked for is not the caller's, or does not exist (the same answer for both)."""

    code = ErrorCode.NOT_FOUND


class InvalidTokenError(AppError):
    """A token is malformed, forged, expired, used or meant for something else."""

    code = ErrorCode.INVALID_TOKEN

    def __init__(self, reason: str, purpose: str = "") -> None:
        super().__init__(reason)
        # What the token was presented for (auth.tokens.Purpose's value): entry points word
        # their answer after it ("The reset link ..."); the reason stays on our side.
        self.purpose = purpose


class AlreadyConfirmedError(InvalidTokenError):
    """A verification link for the address its account has confirmed already (used, or another
    link to the same address was); a page may say so instead of calling the link dead."""


class StaleWriteError(AppError):
    """The record changed between read and write; the write was refused."""


class PermanentDeliveryError(AppError):
    """The mail provider refused a message for good; retrying will not help."""


class TransientDeliveryError(AppError):
    """The mail provider failed for now (throttling, 5xx, network); retry later."""


class ThrottledError(TransientDeliveryError):
    """The mail provider refused for the sending rate; retry after a pause."""


class QueueRefusedError(AppError):
    """SQS refused some of the messages we asked it to queue."""


class DeliveryInProgressError(TransientDeliveryError):
    """Another worker holds a live lease on this email; retry after the lease."""


class PayloadTooLargeError(ValidationError):
    """The request body is larger than we accept."""

    code = ErrorCode.PAYLOAD_TOO_LARGE


class UnsupportedMediaTypeError(ValidationError):
    """A request body came with a media type the route does not take."""

    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


class RateLimitedError(AppError):
    """A client made more requests of one kind than its hourly cap allows."""

    code = ErrorCode.TOO_MANY_REQUESTS

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class CsrfError(AppError):
    """A form arrived without a valid CSRF token."""
