"""Every failure the app raises on purpose: one root, one small class per failure."""

from __future__ import annotations


class AppError(Exception):
    """Root of the errors this app raises on purpose."""


class ConfigError(AppError):
    """The environment is missing or holds an unusable setting."""


class ValidationError(AppError):
    """Input was malformed; the message says what to fix."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PasswordPolicyError(ValidationError):
    """A new password does not meet the password policy."""


class ConflictError(AppError):
    """A username or email address is already registered."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class AddressTakenError(ConflictError):
    """A confirmed change of address found the new address registered to another account."""


class AuthenticationError(AppError):
    """Credentials or an access token were not accepted."""


class SessionEndedError(AuthenticationError):
    """A signed-in session gave too many wrong passwords: it must sign in again."""


class InvalidTokenError(AppError):
    """A token is malformed, forged, expired, used or meant for something else."""

    def __init__(self, reason: str, purpose: str = "") -> None:
        super().__init__(reason)
        # What the token was presented for (auth.tokens.Purpose's value): entry points word
        # their answer after it ("The reset link ..."); the reason stays on our side.
        self.purpose = purpose


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


class UnsupportedMediaTypeError(ValidationError):
    """A request body came with a media type the route does not take."""


class RateLimitedError(AppError):
    """A client made more requests of one kind than its hourly cap allows."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class CsrfError(AppError):
    """A form arrived without a valid CSRF token."""
