"""Logging set-up: plain text for people, JSON lines for log shippers."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

import orjson

from core import clock
from core.clock import iso
from core.settings import Settings

# The id of the request being served on this thread, added to every log line written while serving it.
request_id: ContextVar[str | None] = ContextVar("concord_request_id", default=None)


class JsonFormatter(logging.Formatter):
    """One JSON object per line with time, level, logger, message and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": iso(clock.now()),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            body["request_id"] = rid
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            body.update(extra)
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(body, default=str).decode()


def configure_logging(settings: Settings) -> None:
    """Route Concord's loggers to stderr at the configured level (idempotent)."""
    root = logging.getLogger()
    if any(getattr(h, "_concord", False) for h in root.handlers):
        root.setLevel(settings.log_level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._concord = True
    handler.setFormatter(
        JsonFormatter()
        if settings.log_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(settings.log_level)
