"""Template filters: instants, counts, masking of personal data."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from core.clock import as_utc


def when(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    """An instant in UTC for people."""
    return "" if value is None else as_utc(value).strftime(fmt)


def count(value: int | float | None) -> str:
    """A number with thousands separators."""
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def mask_email(value: str | None) -> str:
    """`j***@example.com`: enough to recognise, not enough to contact."""
    if not value or "@" not in value:
        return "" if not value else "***"
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(value: str | None) -> str:
    """`+1******0100`: country code and last four digits only."""
    if not value:
        return ""
    return value[:2] + "*" * max(0, len(value) - 6) + value[-4:]


def lag(value: timedelta | float | int | None) -> str:
    """A duration for people: `45 s`, `12 min`, `7.5 h`, `3.2 days` (a timedelta or seconds)."""
    if value is None:
        return ""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    if seconds < 90:
        return f"{sign}{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{sign}{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{sign}{seconds / 3600:.1f} h"
    return f"{sign}{seconds / 86400:.1f} days"


def pct(value: float | None) -> str:
    """A percentage with one decimal."""
    return "" if value is None else f"{value:.1f} %"


def register(app: Flask) -> None:
    """Install the filters."""
    app.add_template_filter(when)
    app.add_template_filter(count)
    app.add_template_filter(mask_email)
    app.add_template_filter(mask_phone)
    app.add_template_filter(lag)
    app.add_template_filter(pct)
