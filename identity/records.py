"""Validation and normalisation of incoming source records, before anything is written."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from core.clock import as_utc, iso, parse_instant
from core.errors import InvalidInput
from identity.domain import Rejected, SourceRecordIn
from identity.normalise import (
    first_name_key,
    name_key,
    normalise_country,
    normalise_email,
    normalise_jurisdiction,
    normalise_phone,
    normalise_region,
    postal_line,
    region_for,
    split_full_name,
)

_SYSTEM = re.compile(r"^[a-z][a-z0-9_.-]{0,39}$")
_LIMITS = {"first_name": 200, "last_name": 200, "street": 300, "city": 200, "postal_code": 20}


@dataclass
class Prepared:
    """A validated record: trimmed fields, normalised contact points `(kind, value, raw)`, content hash."""

    index: int
    source_system: str
    source_key: str
    fields: dict[str, Any]
    contacts: list[tuple[str, str, str]]
    observed_at: datetime | None
    payload: dict[str, Any]
    content_hash: str = ""
    issues: list[Rejected] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        """(source_system, source_key)."""
        return self.source_system, self.source_key


def check_system(raw: Any, where: str) -> str:
    """A source system name: lower case letters, digits, `_.-`, starting with a letter."""
    value = str(raw or "").strip().lower()
    if not _SYSTEM.match(value):
        raise InvalidInput(
            f"source_system {raw!r} must be a short lower-case name such as crm or billing", field=where
        )
    return value


def check_key(raw: Any, where: str) -> str:
    """A source key: non-empty text of at most 200 characters."""
    value = str(raw if raw is not None else "").strip()
    if not value or len(value) > 200:
        raise InvalidInput("source_key must be non-empty text of at most 200 characters", field=where)
    return value


def _text(record: SourceRecordIn, name: str, where: str) -> str | None:
    value = getattr(record, name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text", field=f"{where}.{name}")
    value = " ".join(value.split())
    if len(value) > _LIMITS.get(name, 200):
        raise InvalidInput(
            f"{name} is longer than {_LIMITS.get(name, 200)} characters", field=f"{where}.{name}"
        )
    return value or None


def _observed(value: Any, where: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    try:
        return parse_instant(str(value))
    except ValueError:
        raise InvalidInput(
            f"observed_at {value!r} is not an ISO 8601 instant", field=f"{where}.observed_at"
        ) from None


def prepare(
    record: SourceRecordIn, index: int, *, lenient: bool = False, prefix: str = "records"
) -> Prepared:
    """Validate and normalise one record; InvalidInput names `records[i].field` (lenient: drop bad values)."""
    where = f"{prefix}[{index}]"
    system = check_system(record.source_system, f"{where}.source_system")
    key = check_key(record.source_key, f"{where}.source_key")
    issues: list[Rejected] = []

    def soft(fn: Callable[[], Any], field_name: str) -> Any:
        # Strict: the first bad value rejects the batch. Lenient (pulls): drop it and report it.
        try:
            return fn()
        except InvalidInput as exc:
            if not lenient:
                raise InvalidInput(exc.message, field=field_name) from None
            issues.append(Rejected(index, f"{system}:{key}", field_name, exc.message))
            return None

    fields = {
        name: _text(record, name, where)
        for name in ("first_name", "last_name", "street", "city", "postal_code")
    }
    full = soft(lambda: _text(record, "full_name", where), f"{where}.full_name")
    if full and not (fields["first_name"] and fields["last_name"]):
        first, last = split_full_name(full)
        fields["first_name"] = fields["first_name"] or first
        fields["last_name"] = fields["last_name"] or last
    fields["country"] = soft(lambda: normalise_country(record.country), f"{where}.country")
    fields["region"] = soft(lambda: normalise_region(record.region), f"{where}.region")
    fields["jurisdiction"] = soft(
        lambda: normalise_jurisdiction(record.jurisdiction), f"{where}.jurisdiction"
    )
    fields["first_key"] = first_name_key(fields["first_name"])
    fields["last_key"] = name_key(fields["last_name"])
    contacts = _contacts(record, where, fields["country"], soft)
    postal = soft(
        lambda: postal_line(
            fields["street"], fields["city"], fields["postal_code"], fields["region"], fields["country"]
        ),
        f"{where}.street",
    )
    if postal:
        contacts.append(("postal", postal, postal))
    observed = soft(lambda: _observed(record.observed_at, where), f"{where}.observed_at")
    prepared = Prepared(index, system, key, fields, contacts, observed, _payload(record), issues=issues)
    prepared.content_hash = _hash(prepared)
    return prepared


def _contacts(record: SourceRecordIn, where: str, country: str | None, soft) -> list[tuple[str, str, str]]:
    out: dict[tuple[str, str], str] = {}
    for kind, values in (("email", record.emails), ("phone", record.phones)):
        if isinstance(values, str):
            values = (values,)
        for j, raw in enumerate(values or ()):
            if raw is None or not str(raw).strip():
                continue
            if kind == "email":
                value = soft(lambda raw=raw: normalise_email(str(raw)), f"{where}.emails[{j}]")
            else:
                value = soft(
                    lambda raw=raw: normalise_phone(str(raw), region_for(country)), f"{where}.phones[{j}]"
                )
            if value:
                out.setdefault((kind, value), str(raw).strip()[:400])
    return [(kind, value, raw) for (kind, value), raw in out.items()]


def _payload(record: SourceRecordIn) -> dict[str, Any]:
    payload = {k: v for k, v in record.__dict__.items() if v not in (None, (), [], "")}
    if isinstance(payload.get("observed_at"), datetime):
        payload["observed_at"] = iso(payload["observed_at"])
    return {k: list(v) if isinstance(v, tuple) else v for k, v in payload.items()}


def _hash(prepared: Prepared) -> str:
    # Normalised content only: a re-sent record that differs in formatting or observed_at is unchanged.
    content = {
        "fields": prepared.fields,
        "contacts": sorted([kind, value] for kind, value, _ in prepared.contacts),
    }
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def prepare_batch(
    records: Sequence[SourceRecordIn], *, lenient: bool = False, prefix: str = "records"
) -> tuple[list[Prepared], list[Rejected]]:
    """Prepare every record; strict mode raises on the first problem, lenient skips or trims records."""
    prepared: list[Prepared] = []
    rejected: list[Rejected] = []
    for i, record in enumerate(records):
        if not isinstance(record, SourceRecordIn):
            raise InvalidInput("each record must be a SourceRecordIn", field=f"{prefix}[{i}]")
        try:
            item = prepare(record, i, lenient=lenient, prefix=prefix)
        except InvalidInput as exc:
            if not lenient:
                raise
            rejected.append(
                Rejected(i, f"{record.source_system}:{record.source_key}", exc.field or "", exc.message)
            )
            continue
        rejected.extend(item.issues)
        prepared.append(item)
    return prepared, rejected
