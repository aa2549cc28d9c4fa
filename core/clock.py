"""The one source of "now", replaceable in tests so expiry and point-in-time logic can be checked."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

_fixed: ContextVar[datetime | None] = ContextVar("concord_fixed_now", default=None)


def now() -> datetime:
    """Current time as an aware UTC datetime (or the frozen time inside `frozen`)."""
    fixed = _fixed.get()
    return fixed if fixed is not None else datetime.now(UTC)


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Freeze `now()` at `at` within this block (same thread or task only)."""
    token = _fixed.set(as_utc(at))
    try:
        yield
    finally:
        _fixed.reset(token)


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant (`Z`, offsets, nanoseconds, or naive meaning UTC) to aware UTC."""
    value = text.strip()
    if not value:
        raise ValueError("empty timestamp")
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # Python keeps microseconds only; producers such as Spark send nanoseconds.
    if "." in value:
        head, _, tail = value.partition(".")
        digits = ""
        rest = ""
        for i, ch in enumerate(tail):
            if ch.isdigit():
                digits += ch
            else:
                rest = tail[i:]
                break
        value = f"{head}.{digits[:6].ljust(6, '0')}{rest}" if digits else head + rest
    return as_utc(datetime.fromisoformat(value))


def iso(value: datetime | None) -> str | None:
    """Format an instant as ISO 8601 UTC with a `Z` suffix."""
    if value is None:
        return None
    return as_utc(value).isoformat().replace("+00:00", "Z")
