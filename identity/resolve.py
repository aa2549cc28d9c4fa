"""Resolution: from a customer id, source key, email or phone to the surviving customer ids, one or in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session

from core.errors import InvalidInput
from identity.models import CP, CUS, RED, SR, XW
from identity.normalise import looks_e164, normalise_email, normalise_phone, normalise_postal
from identity.store import select_in, select_keys

RESOLVABLE = ("customer_id", "source_key", "email", "phone", "postal")


def resolve(
    session: Session,
    *,
    customer_id: str | None = None,
    source_key: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    region: str = "US",
) -> list[str]:
    """Surviving customer ids for exactly one identifier; [] when unknown (callers fail closed).

    A malformed email or phone raises InvalidInput naming it; `region` reads national phone numbers.
    """
    given = {
        k: v
        for k, v in {
            "customer_id": customer_id,
            "source_key": source_key,
            "email": email,
            "phone": phone,
        }.items()
        if v is not None
    }
    if len(given) != 1:
        raise InvalidInput(
            "give exactly one of customer_id, source_key, email or phone",
            field=next(iter(given), "customer_id"),
        )
    kind, value = next(iter(given.items()))
    if "\x00" in value:
        return []
    if kind == "email":
        return _by_contact(session, "email", {value: normalise_email(value)})[value]
    if kind == "phone":
        return _by_contact(session, "phone", {value: normalise_phone(value, region)})[value]
    return resolve_many(session, kind=kind, values=[value])[value]


def resolve_many(
    session: Session, *, kind: str, values: Sequence[str], region: str = "US"
) -> dict[str, list[str]]:
    """Bulk resolution: for each value as given, its surviving customer ids ([] when unknown or malformed).

    A few queries per 20,000 values (one bound array each), never one query per value.
    """
    if kind not in RESOLVABLE:
        raise InvalidInput(f"kind must be one of {', '.join(RESOLVABLE)}", field="kind")
    values = [v for v in dict.fromkeys(values) if isinstance(v, str)]
    # No stored identifier holds a NUL character, and PostgreSQL refuses one in a query parameter.
    unmatchable = {v: [] for v in values if "\x00" in v}
    values = [v for v in values if v not in unmatchable]
    return {**_resolve_values(session, kind, values, region), **unmatchable}


def _resolve_values(session: Session, kind: str, values: list[str], region: str) -> dict[str, list[str]]:
    if kind == "customer_id":
        return _by_customer_id(session, values)
    if kind == "source_key":
        return _by_source_key(session, values)
    if kind == "phone":
        return _by_phone(session, values, region)
    normalise = normalise_email if kind == "email" else normalise_postal
    return _by_contact(session, kind, {v: _safe(normalise, v) for v in values})


def _safe(fn, *args) -> str | None:
    try:
        return fn(*args)
    except InvalidInput:
        return None


def _by_contact(session: Session, kind: str, normalised: dict[str, str | None]) -> dict[str, list[str]]:
    found = {
        v: sorted(c) for v, c in lookup_contacts(session, kind, {n for n in normalised.values() if n}).items()
    }
    return {raw: list(found[n]) if n in found else [] for raw, n in normalised.items()}


def lookup_contacts(session: Session, kind: str, values: set[str]) -> dict[str, set[str]]:
    """Normalised value -> the customers that hold it (customer ids on contact points are survivors)."""
    found: dict[str, set[str]] = defaultdict(set)
    query = sa.select(CP.c.value, CP.c.customer_id).where(CP.c.kind == kind, CP.c.customer_id.is_not(None))
    for value, cid in select_in(session, query, "value", values):
        found[value].add(cid)
    return found


def _by_phone(session: Session, values: list[str], region: str) -> dict[str, list[str]]:
    # Values already in E.164 are looked up as they are; only the rest (and misses) pay for parsing.
    quick = {v: v.strip() for v in values if looks_e164(v.strip())}
    found = lookup_contacts(session, "phone", set(quick.values()))
    out = {raw: sorted(found[n]) for raw, n in quick.items() if n in found}
    rest = {v: _safe(normalise_phone, v, region) for v in values if v not in out}
    again = {n for raw, n in rest.items() if n and (raw not in quick or n != quick[raw])}
    found.update(lookup_contacts(session, "phone", again))
    out.update({raw: sorted(found.get(n, ())) if n else [] for raw, n in rest.items()})
    return out


def _by_customer_id(session: Session, values: list[str]) -> dict[str, list[str]]:
    redirected = {
        r.from_id: r.to_id
        for r in select_in(session, sa.select(RED.c.from_id, RED.c.to_id), "from_id", values)
    }
    rest = [v for v in values if v not in redirected]
    active = {
        r.id for r in select_in(session, sa.select(CUS.c.id).where(CUS.c.status == "active"), "id", rest)
    }
    return {v: [redirected[v]] if v in redirected else ([v] if v in active else []) for v in values}


def split_source_key(value: str) -> tuple[str, str] | None:
    """`system:key` -> (system, key), or None when it has no `:`."""
    system, sep, key = value.strip().partition(":")
    if not sep or not system or not key.strip():
        return None
    return system.strip().lower(), key.strip()


def _by_source_key(session: Session, values: list[str]) -> dict[str, list[str]]:
    parsed = {v: split_source_key(v) for v in values}
    keys = {p for p in parsed.values() if p}
    rows = select_keys(session, SR, (SR.c.source_system, SR.c.source_key, SR.c.customer_id), keys)
    owner = {(r.source_system, r.source_key): r.customer_id for r in rows if r.customer_id}
    # A crosswalk row names the customer of a record that has not arrived yet.
    rows = select_keys(
        session, XW, (XW.c.source_system, XW.c.source_key, XW.c.customer_id), keys - set(owner)
    )
    owner.update({(r.source_system, r.source_key): r.customer_id for r in rows})
    # Crosswalk ids may have merged since; follow them once (chains are collapsed).
    survivors = _by_customer_id(session, list(set(owner.values())))
    return {v: survivors.get(owner[p], []) if p in owner else [] for v, p in parsed.items()}


def survivor_of(session: Session, customer_id: str) -> str | None:
    """The surviving id for a customer id, or None if it was never issued."""
    ids = _by_customer_id(session, [customer_id]).get(customer_id) or []
    return ids[0] if ids else None
