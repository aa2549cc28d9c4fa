"""Field readers for incoming events: each names `events[i].field` in its error and says what to send."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.clock import parse_instant
from core.errors import InvalidInput
from identity.normalise import normalise_contact_point, region_for

TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,39}$")
SYSTEM = re.compile(r"^[a-z][a-z0-9_.-]{0,39}$")


class Fields:
    """One raw event and where it sits in its batch (`events[3]`, `line 12`)."""

    def __init__(self, raw: Mapping[str, Any], where: str):
        self.raw = raw
        self.where = where

    def error(self, name: str, message: str) -> InvalidInput:
        """An InvalidInput for one field of this event (`events[3].channel`, or `line 12, channel` in files)."""
        sep = "." if self.where.endswith("]") else ", "
        return InvalidInput(f"{self.where}{sep}{name}: {message}", field=f"{self.where}.{name}")

    def present(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is not None and value != ""

    def text(self, name: str, *, required: bool = False, max_len: int = 200) -> str | None:
        """A string (numbers are accepted as their text)."""
        value = self.raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.error(name, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.error(name, "must be a string")
        text = str(value).strip()
        if len(text) > max_len:
            raise self.error(name, f"is longer than {max_len} characters")
        return text

    def token(self, name: str, *, required: bool = False) -> str | None:
        """A short identifier such as a source-system name."""
        value = self.text(name, required=required, max_len=40)
        if value is not None and not TOKEN.match(value):
            raise self.error(name, f"{value!r} must be letters, digits, '_', '.', ':' or '-' (at most 40)")
        return value

    def system(self) -> str:
        """The source system name, lower-cased (crm, billing, marketing...)."""
        value = (self.text("source", required=True, max_len=40) or "").lower()
        if not SYSTEM.match(value):
            raise self.error("source", f"{value!r} must be a short lower-case name such as crm or marketing")
        return value

    def choice(self, name: str, options, *, required: bool = False, what: str = "value") -> str | None:
        """One of `options` (lower-cased)."""
        value = self.text(name, required=required, max_len=80)
        if value is None:
            return None
        value = value.lower()
        if value not in options:
            raise self.error(name, f"unknown {what} {value!r}; use one of {', '.join(sorted(options))}")
        return value

    def instant(self, name: str, *, required: bool = False) -> datetime | None:
        """An ISO 8601 instant (UTC when it has no offset)."""
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise self.error(name, "is required (an ISO 8601 instant such as 2025-03-01T12:00:00Z)")
            return None
        if isinstance(value, datetime):
            return value
        try:
            return parse_instant(str(value))
        except ValueError:
            raise self.error(
                name, f"{value!r} is not an ISO 8601 instant such as 2025-03-01T12:00:00Z"
            ) from None

    def flag(self, name: str) -> bool:
        """A boolean; CSV's true/false/1/0/yes/no are accepted."""
        value = self.raw.get(name)
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "y", "t"}:
            return True
        if text in {"0", "false", "no", "n", "f"}:
            return False
        raise self.error(name, f"{value!r} must be true or false")

    def mapping(self, name: str) -> dict | None:
        """A JSON object."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, Mapping):
            raise self.error(name, "must be an object")
        return dict(value)

    def strings(self, name: str) -> list[str]:
        """A list of strings (a single string is a one-item list)."""
        value = self.raw.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            raise self.error(name, "must be a list of strings")
        return [str(v) for v in value if str(v).strip()]

    def contact(self, name: str, kind: str, region: str) -> str:
        """A normalised contact point of `kind` (email, phone or postal)."""
        raw = self.text(name, required=True, max_len=400)
        try:
            return normalise_contact_point(kind, raw, region)
        except InvalidInput as exc:
            raise self.error(name, f"{raw!r} is not a valid {kind}: {exc.message}") from None

    def subject(self) -> tuple[str, str] | None:
        """`("customer", id)` or `("source_key", "system:key")` from `customer` / `source_key`."""
        customer = self.text("customer", max_len=64)
        if customer is not None:
            return ("customer", customer)
        key = self.text("source_key", max_len=200)
        if key is not None:
            return ("source_key", f"{str(self.raw.get('source')).strip().lower()}:{key}")
        return None

    def check_keys(self, allowed: set[str]) -> None:
        """Reject fields the event type does not have (usually a typo)."""
        for key in self.raw:
            if key not in allowed:
                raise self.error(
                    str(key),
                    f"is not a field of a {self.raw.get('type')} event; fields: {', '.join(sorted(allowed))}",
                )


def phone_region(jurisdiction: str | None, default: str) -> str:
    """Default region for parsing national phone numbers: the jurisdiction's country, else the policy's."""
    if jurisdiction:
        return region_for(jurisdiction.split("-", 1)[0])
    return default


def guess_kind(value: str) -> str:
    """email when it has an @, phone otherwise (for fields that take either)."""
    return "email" if "@" in value else "phone"
