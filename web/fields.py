"""Form pieces shared by the pages: query-string forms and an ISO 8601 instant field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import abort, request
from wtforms import Form, StringField
from wtforms.validators import Length, ValidationError

from core.clock import parse_instant
from core.errors import ConcordError

T = TypeVar("T")
INSTANT_HINT = "UTC, e.g. 2025-03-01 or 2025-03-01T12:00Z"


class QueryForm(Form):
    """A GET form read from the query string: it changes nothing, so it carries no CSRF token."""

    def __init__(self, **kwargs):
        super().__init__(request.args, **kwargs)

    def fail(self, error: ConcordError, default: str) -> None:
        """Put a service error next to its field (or `default` when the field is not on this form)."""
        put_error(self, error, default)


def put_error(form: Form, error: ConcordError, default: str | None = None) -> None:
    """A service error next to its field on `form` (or the `default` field), else among the form's own errors."""
    name = error.field if error.field in form._fields else default
    if name is None:
        form.form_errors.append(error.message)
    else:
        form._fields[name].errors = [*form._fields[name].errors, error.message]


class InstantField(StringField):
    """An instant typed as ISO 8601 (no offset means UTC); `instant` holds it once the form validated."""

    instant: datetime | None = None

    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("validators", [Length(max=40)])
        kwargs.setdefault("render_kw", {"placeholder": "2025-03-01T12:00Z", "autocomplete": "off"})
        super().__init__(label, **kwargs)

    def pre_validate(self, form) -> None:
        self.instant = None
        text = (self.data or "").strip()
        if not text:
            return
        try:
            self.instant = parse_instant(text)
        except ValueError:
            raise ValidationError(
                f"{text!r} is not a date or instant; write it like {INSTANT_HINT}"
            ) from None


def http_error(error: ConcordError) -> None:
    """Turn a service error that is not about a form field into the HTML error page of its status."""
    abort(error.status, description=error.message)


def or_error_page(service: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Call a service; an error it raises becomes the HTML error page of its status (404 for NotFound)."""
    try:
        return service(*args, **kwargs)
    except ConcordError as exc:
        http_error(exc)
        raise  # not reached: abort() raises
