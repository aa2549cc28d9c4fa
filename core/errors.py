"""Domain errors: each carries a stable code, a message that says what to do, and the field at fault."""

from __future__ import annotations


class ConcordError(Exception):
    """Base of every error Concord reports to a caller; the API maps `status` to HTTP."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, **details):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        self.details = details

    def to_dict(self) -> dict:
        """The JSON error body: error code, message and field."""
        body = {"error": self.code, "message": self.message, "field": self.field}
        body.update(self.details)
        return body


class SettingsError(ConcordError):
    """A setting is missing or malformed; start-up stops."""

    code = "invalid_setting"


class InvalidInput(ConcordError):
    """Well-formed request whose content breaks a rule (unknown channel, bad timestamp...)."""

    status = 422
    code = "invalid_input"


class BadRequest(ConcordError):
    """Request that cannot be parsed at all (malformed JSON, wrong encoding)."""

    status = 400
    code = "bad_request"


class Unauthorized(ConcordError):
    """No credentials, or credentials that match nothing."""

    status = 401
    code = "unauthorized"


class Forbidden(ConcordError):
    """Valid credentials whose role may not do this."""

    status = 403
    code = "forbidden"


class NotFound(ConcordError):
    """The named thing does not exist."""

    status = 404
    code = "not_found"


class Conflict(ConcordError):
    """The request contradicts what is stored (same id, different content)."""

    status = 409
    code = "conflict"


class PayloadTooLarge(ConcordError):
    """The body or upload is over the configured limit."""

    status = 413
    code = "payload_too_large"


class Unavailable(ConcordError):
    """A dependency (database, source system) cannot be reached right now."""

    status = 503
    code = "unavailable"
