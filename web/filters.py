"""Template filters: instants, counts, masking of personal data."""

from __future__ import annotations

from datetime import datetime

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


def register(app: Flask) -> None:
    """Install the filters."""
    app.add_template_filter(when)
    app.add_template_filter(count)
    app.add_template_filter(mask_email)
    app.add_template_filter(mask_phone)
