"""The one place that turns errors into JSON `{"error", "message", "field"}` responses."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from core.errors import ConcordError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def is_api_request() -> bool:
    """Whether this request expects JSON errors (the API, health and metrics endpoints)."""
    path = request.path
    return path.startswith("/api/") or path in {"/healthz", "/readyz", "/metrics"}


def error_response(status: int, code: str, message: str, field: str | None = None, **extra: Any):
    """A JSON error response."""
    body = {"error": code, "message": message, "field": field, **extra}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="concord"'
    return response


def _first_validation_error(messages: Any, path: str = "") -> tuple[str, str]:
    # webargs nests errors as {location: {field: {index: {field: [msg]}}}}; name the first leaf.
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in {"json", "query", "form", "files", "headers", "path", "_schema"} and not path:
                return _first_validation_error(value, path)
            segment = (
                f"[{key}]"
                if isinstance(key, int) or str(key).isdigit()
                else (f".{key}" if path else str(key))
            )
            return _first_validation_error(value, path + segment)
    if isinstance(messages, list) and messages:
        if all(isinstance(m, str) for m in messages):
            return path or None, "; ".join(messages)
        return _first_validation_error(messages[0], path)
    return path or None, str(messages)


def handle_http_exception(error: HTTPException):
    """Werkzeug and webargs errors as JSON on API paths; the default HTML elsewhere."""
    if not is_api_request():
        html = current_app.config.get("CONCORD_HTML_ERRORS")
        return html(error) if html else error
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    if "messages" in data or "errors" in data:
        field, message = _first_validation_error(data.get("errors") or data.get("messages"))
        return error_response(status, _HTTP_CODES.get(status, "invalid_input"), message, field)
    message = data.get("message") or error.description or error.name
    if status == 413:
        message = "request body is over the size limit; split the batch or upload the file in parts"
    return error_response(status, _HTTP_CODES.get(status, "error"), message)


def _html_page(status: int, message: str):
    """For a page (not the API): the app's HTML error page, or None if there is none."""
    html = current_app.config.get("CONCORD_HTML_ERRORS")
    if is_api_request() or html is None:
        return None
    exception_class = default_exceptions.get(status, InternalServerError)
    return html(exception_class(description=message))


def handle_concord_error(error: ConcordError):
    """Domain errors carry their own status, code, message and field (an HTML page outside the API)."""
    page = _html_page(error.status, error.message)
    if page is not None:
        return page
    return error_response(error.status, error.code, error.message, error.field, **error.details)


def handle_operational_error(error: OperationalError):
    """A busy or unreachable database: 503 so clients retry, never a raw driver message."""
    log.warning("database unavailable: %s", error.orig)
    page = _html_page(503, "The database is busy or unreachable; try again in a moment.")
    if page is not None:
        return page
    response = error_response(503, "unavailable", "the database is busy or unreachable; retry shortly")
    response.headers["Retry-After"] = "1"
    return response


def handle_unexpected(error: Exception):
    """Anything else: logged with its traceback, reported as a 500 without internals."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    page = _html_page(500, "Something went wrong on our side; it has been logged.")
    if page is not None:
        return page
    return error_response(500, "internal_error", "unexpected server error; it has been logged")


def register(app: Flask) -> None:
    """Install the handlers (after flask-smorest, so ours win)."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ConcordError, handle_concord_error)
    app.register_error_handler(OperationalError, handle_operational_error)
    app.register_error_handler(Exception, handle_unexpected)
