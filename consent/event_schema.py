"""The event vocabulary: types, the fields each may carry, and what a validated event holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EVENT_TYPES = (
    "profile",
    "contact_point",
    "consent",
    "relationship",
    "gpc_signal",
    "dnc_registry_snapshot",
    "dnc_request",
    "suppression",
)
COMMON = {"type", "source", "received_at"}
PROFILE_FIELDS = {
    "source_key",
    "customer",
    "jurisdiction",
    "country",
    "region",
    "first_name",
    "last_name",
    "full_name",
    "emails",
    "phones",
    "email",
    "phone",
    "street",
    "city",
    "postal_code",
    "observed_at",
}
FIELDS = {
    "profile": PROFILE_FIELDS,
    "contact_point": {"customer", "source_key", "kind", "value", "observed_at"},
    "consent": {
        "id",
        "customer",
        "source_key",
        "contact_point",
        "channel",
        "purpose",
        "status",
        "method",
        "captured_at",
        "expires_at",
        "evidence",
        "scope",
        "jurisdiction",
    },
    "relationship": {"id", "customer", "source_key", "kind", "occurred_at", "soft_opt_in_notice_given"},
    "gpc_signal": {"id", "customer", "source_key", "observed_at"},
    "dnc_registry_snapshot": {"id", "registry", "downloaded_at", "listed_numbers"},
    "dnc_request": {"id", "customer", "source_key", "phone", "channel", "captured_at", "jurisdiction"},
    "suppression": {"id", "customer", "source_key", "contact_point", "list", "captured_at", "expires_at"},
}


@dataclass
class ValidEvent:
    """One validated event: its normalised row values and what it touches (subject, contact point)."""

    type: str
    index: int
    source: str
    source_id: str | None
    row: dict[str, Any]
    subject: tuple[str, str] | None = None
    contact: tuple[str, str] | None = None  # (kind, normalised value)
    numbers: list[str] = field(default_factory=list)
    content_hash: str = ""


def batch_label(i: int) -> str:
    """How an event of an API batch is named in errors."""
    return f"events[{i}]"
