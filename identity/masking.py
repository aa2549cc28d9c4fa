"""Masked forms of personal data for roles that may not see it raw (analysts)."""

from __future__ import annotations


def mask_email(value: str) -> str:
    """`j***@e***.com`: first letter of the mailbox and of the domain, and the top-level domain."""
    local, _, domain = value.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{host[:1]}***.{tld}" if host else f"{local[:1]}***@***"


def mask_phone(value: str) -> str:
    """`+1*******0100`: the country prefix and the last four digits."""
    if len(value) <= 6:
        return "*" * len(value)
    head = value[:2] if value.startswith("+") else ""
    return head + "*" * (len(value) - len(head) - 4) + value[-4:]


def mask_name(value: str | None) -> str | None:
    """`J.`: the initial only."""
    return f"{value.strip()[:1]}." if value and value.strip() else None


def mask_contact(kind: str, value: str) -> str | None:
    """A contact point as an analyst may see it (postal addresses not at all)."""
    if kind == "email":
        return mask_email(value)
    if kind == "phone":
        return mask_phone(value)
    return None
