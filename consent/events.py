"""Validate incoming events (API, files, pulls) into normalised rows; the first bad field names its event."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson

from consent.event_fields import Fields
from consent.event_schema import COMMON, EVENT_TYPES, FIELDS, ValidEvent, batch_label
from consent.event_types import VALIDATORS
from consent.policy_model import Policy
from core.errors import InvalidInput

__all__ = ["EVENT_TYPES", "FIELDS", "ValidEvent", "batch_label", "validate_event", "validate_events"]


def validate_events(
    raw_events: Sequence[Any],
    policy: Policy,
    *,
    now: datetime,
    label: Callable[[int], str] = batch_label,
    progress: Callable[[int], None] | None = None,
) -> list[ValidEvent]:
    """Every event validated in order; InvalidInput naming `events[i].field` for the first bad one."""
    out = []
    for i, raw in enumerate(raw_events):
        if progress is not None and i and i % 1000 == 0:
            progress(1000)
        label_i = label(i)
        if not isinstance(raw, Mapping):
            raise InvalidInput(f"{label_i} must be an object", field=label_i)
        out.append(validate_event(Fields(raw, label_i), i, policy, now))
    if progress is not None:
        progress(len(raw_events) % 1000 or (1000 if raw_events else 0))
    return out


def validate_event(f: Fields, index: int, policy: Policy, now: datetime) -> ValidEvent:
    """One event."""
    kind = f.choice("type", EVENT_TYPES, required=True, what="event type")
    f.check_keys(FIELDS[kind] | COMMON)
    source = f.system()
    event = VALIDATORS[kind](f, policy)
    event.type, event.index, event.source = kind, index, source
    received = f.instant("received_at")
    if kind not in ("profile", "contact_point"):
        event.row["received_at"] = received or now
        event.content_hash = _hash(kind, source, event)
    return event


def _hash(kind: str, source: str, event: ValidEvent) -> str:
    # received_at is left out: a re-sent record with a new arrival time is the same record.
    content = {k: v for k, v in event.row.items() if k != "received_at"}
    body = orjson.dumps(
        [kind, source, event.source_id, content, sorted(event.numbers)], option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(body).hexdigest()
