"""Validate incoming events (API, files, pulls) into normalised rows; the first bad field names its event."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from consent.event_fields import Fields, guess_kind, phone_region
from consent.policy_model import Policy
from consent.vocabulary import RELATIONSHIP_KINDS, SCOPES, STATUSES
from core.errors import InvalidInput

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
    event = _VALIDATORS[kind](f, policy)
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


def _subject_row(event: ValidEvent) -> None:
    event.row["subject_kind"], event.row["subject"] = event.subject if event.subject else (None, None)


def _profile(f: Fields, policy: Policy) -> ValidEvent:
    f.text("source_key", required=True)
    emails = f.strings("emails") + f.strings("email")
    phones = f.strings("phones") + f.strings("phone")
    region = phone_region(f.text("jurisdiction") or f.text("country"), policy.evaluation.phone_default_region)
    for name, values, kind in (("emails", emails, "email"), ("phones", phones, "phone")):
        for i, value in enumerate(values):
            _check(f, name, i, value, kind, region)
    jurisdiction = f.text("jurisdiction", max_len=8)
    row = {
        "source_key": f.text("source_key", required=True),
        "customer": f.text("customer", max_len=64),
        "first_name": f.text("first_name"),
        "last_name": f.text("last_name"),
        "full_name": f.text("full_name"),
        "emails": tuple(emails),
        "phones": tuple(phones),
        "street": f.text("street", max_len=300),
        "city": f.text("city"),
        "postal_code": f.text("postal_code", max_len=20),
        "region": f.text("region", max_len=3),
        "country": f.text("country", max_len=2),
        "jurisdiction": jurisdiction.upper() if jurisdiction else None,
        "observed_at": f.instant("observed_at"),
    }
    return ValidEvent("profile", 0, "", None, row)


def _check(f: Fields, name: str, i: int, value: str, kind: str, region: str) -> None:
    Fields({f"{name}[{i}]": value}, f.where).contact(f"{name}[{i}]", kind, region)


def _contact_point(f: Fields, policy: Policy) -> ValidEvent:
    subject = f.subject()
    if subject is None:
        raise f.error("customer", "a contact_point event needs customer or source_key")
    kind = f.choice("kind", ("email", "phone", "postal"), required=True, what="contact point kind")
    value = f.contact("value", kind, policy.evaluation.phone_default_region)
    return ValidEvent(
        "contact_point", 0, "", None, {"observed_at": f.instant("observed_at")}, subject, (kind, value)
    )


def _consent(f: Fields, policy: Policy) -> ValidEvent:
    event_id = f.text("id", required=True)
    scope = f.choice("scope", SCOPES, what="scope")
    has_point = f.present("contact_point")
    scope = scope or ("contact_point" if has_point else "channel")
    channel = f.choice("channel", policy.channels, required=scope != "person", what="channel")
    if scope == "person" and (channel or has_point):
        raise f.error(
            "scope", "a person-scope record applies to every channel: leave out channel and contact_point"
        )
    purpose = f.choice("purpose", policy.purposes, required=True, what="purpose")
    status = f.choice("status", STATUSES, required=True, what="status")
    method = f.token("method", required=True).lower()
    jurisdiction = f.text("jurisdiction", max_len=8)
    contact = None
    if scope == "contact_point":
        if not has_point:
            raise f.error("contact_point", "a contact_point-scope record needs contact_point")
        kind = policy.channels[channel].contact_point_kind
        raw = f.text("contact_point", max_len=400)
        kind = guess_kind(raw) if kind == "any" else kind
        region = phone_region(jurisdiction, policy.evaluation.phone_default_region)
        contact = (kind, f.contact("contact_point", kind, region))
    subject = f.subject()
    if subject is None and scope != "contact_point":
        raise f.error("customer", f"a {scope}-scope record needs customer or source_key")
    captured = f.instant("captured_at", required=True)
    expires = f.instant("expires_at")
    if expires is not None and expires <= captured:
        raise f.error("expires_at", "must be after captured_at")
    row = {
        "channel": channel,
        "purpose": purpose,
        "status": status,
        "method": method,
        "scope": scope,
        "contact_kind": contact[0] if contact else None,
        "contact_point": contact[1] if contact else None,
        "captured_at": captured,
        "expires_at": expires,
        "jurisdiction": jurisdiction.upper() if jurisdiction else None,
        "evidence": f.mapping("evidence"),
    }
    event = ValidEvent("consent", 0, "", event_id, row, subject, contact)
    _subject_row(event)
    return event


def _needs_subject(f: Fields, kind: str) -> tuple[str, str]:
    subject = f.subject()
    if subject is None:
        raise f.error("customer", f"a {kind} event needs customer or source_key")
    return subject


def _relationship(f: Fields, policy: Policy) -> ValidEvent:
    event_id = f.text("id", required=True)
    subject = _needs_subject(f, "relationship")
    row = {
        "kind": f.choice("kind", RELATIONSHIP_KINDS, required=True, what="relationship kind"),
        "occurred_at": f.instant("occurred_at", required=True),
        "soft_opt_in_notice_given": f.flag("soft_opt_in_notice_given"),
    }
    event = ValidEvent("relationship", 0, "", event_id, row, subject)
    _subject_row(event)
    return event


def _gpc(f: Fields, policy: Policy) -> ValidEvent:
    event_id = f.text("id", required=True)
    event = ValidEvent(
        "gpc_signal", 0, "", event_id, {"observed_at": f.instant("observed_at", required=True)}
    )
    event.subject = _needs_subject(f, "gpc_signal")
    _subject_row(event)
    return event


def _registry(f: Fields, policy: Policy) -> ValidEvent:
    registry = f.token("registry", required=True)
    downloaded = f.instant("downloaded_at", required=True)
    if not isinstance(f.raw.get("listed_numbers"), list):
        raise f.error("listed_numbers", "is required: a list of phone numbers (may be empty)")
    region = policy.evaluation.phone_default_region
    numbers = sorted({_number(f, i, region) for i in range(len(f.raw["listed_numbers"]))})
    event_id = f.text("id") or f"{registry}:{downloaded.isoformat()}"
    row = {"registry_name": registry, "downloaded_at": downloaded, "number_count": len(numbers)}
    return ValidEvent("dnc_registry_snapshot", 0, "", event_id, row, numbers=numbers)


def _number(f: Fields, i: int, region: str) -> str:
    return Fields({f"listed_numbers[{i}]": f.raw["listed_numbers"][i]}, f.where).contact(
        f"listed_numbers[{i}]", "phone", region
    )


def _dnc_request(f: Fields, policy: Policy) -> ValidEvent:
    event_id = f.text("id", required=True)
    subject = f.subject()
    phone = (
        f.contact(
            "phone",
            "phone",
            phone_region(f.text("jurisdiction", max_len=8), policy.evaluation.phone_default_region),
        )
        if f.present("phone")
        else None
    )
    if subject is None and phone is None:
        raise f.error("phone", "a dnc_request needs phone, or customer / source_key for the whole person")
    channels = {name for name, spec in policy.channels.items() if spec.internal_dnc}
    channel = f.choice("channel", channels, what="do-not-contact channel") or "voice"
    row = {"phone": phone, "channel": channel, "captured_at": f.instant("captured_at", required=True)}
    event = ValidEvent("dnc_request", 0, "", event_id, row, subject, ("phone", phone) if phone else None)
    _subject_row(event)
    return event


def _suppression(f: Fields, policy: Policy) -> ValidEvent:
    event_id = f.text("id", required=True)
    name = f.choice("list", policy.suppression_lists, required=True, what="suppression list")
    subject = f.subject()
    contact = None
    if f.present("contact_point"):
        raw = f.text("contact_point", max_len=400)
        kind = guess_kind(raw)
        contact = (kind, f.contact("contact_point", kind, policy.evaluation.phone_default_region))
    elif subject is None:
        raise f.error(
            "contact_point",
            "a suppression needs contact_point, or customer / source_key for the whole person",
        )
    captured = f.instant("captured_at", required=True)
    expires = f.instant("expires_at")
    if expires is not None and expires <= captured:
        raise f.error("expires_at", "must be after captured_at")
    row = {
        "list": name,
        "contact_kind": contact[0] if contact else None,
        "contact_point": contact[1] if contact else None,
        "captured_at": captured,
        "expires_at": expires,
    }
    event = ValidEvent("suppression", 0, "", event_id, row, subject, contact)
    _subject_row(event)
    return event


_VALIDATORS = {
    "profile": _profile,
    "contact_point": _contact_point,
    "consent": _consent,
    "relationship": _relationship,
    "gpc_signal": _gpc,
    "dnc_registry_snapshot": _registry,
    "dnc_request": _dnc_request,
    "suppression": _suppression,
}
