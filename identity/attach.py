"""Writes beside record upserts: attaching a contact point, registering an external id, full rebuild."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from core import audit, clock
from core.audit import Actor
from core.errors import InvalidInput, NotFound
from identity.cluster import recluster
from identity.domain import RebuildResult
from identity.models import CP, CUS, SR
from identity.normalise import normalise_contact_point, region_for
from identity.records import check_system
from identity.resolve import split_source_key, survivor_of
from identity.rules import MatchRules
from identity.store import active_rules, lock_state, store_rules, take_seqs

_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def check_customer_id(value: str, field: str = "customer_id") -> str:
    """A customer id as Concord or an upstream MDM writes it: letters, digits and `_.:-`, up to 64."""
    text = str(value or "").strip()
    if not _EXTERNAL_ID.match(text):
        raise InvalidInput(f"customer id {value!r} must be 1-64 letters, digits or _.:-", field=field)
    return text


def create_customers(session: Session, ids: list[str], origin: str) -> None:
    """Insert customer rows for ids issued elsewhere (crosswalk, MDM), in the order given."""
    if not ids:
        return
    first, now = take_seqs(session, len(ids)), clock.now()
    session.execute(
        sa.insert(CUS),
        [{"id": cid, "seq": first + i, "status": "active", "origin": origin, "record_count": 0,
          "created_at": now, "updated_at": now} for i, cid in enumerate(ids)],
    )  # fmt: skip


def ensure_customer(session: Session, *, customer_id: str, actor: Actor, commit: bool = True) -> str:
    """Register a customer id given by an upstream MDM (no-op if known); return its survivor."""
    customer_id = check_customer_id(customer_id)
    lock_state(session)
    survivor = survivor_of(session, customer_id)
    if survivor is None:
        create_customers(session, [customer_id], "external")
        audit.record(session, actor, "identity.customer.register", "customer", customer_id, {})
        survivor = customer_id
    if commit:
        session.commit()
    return survivor


def add_contact_point(
    session: Session,
    *,
    customer_id: str | None = None,
    source_key: str | None = None,
    kind: str,
    value: str,
    source: str,
    observed_at: datetime | None = None,
    actor: Actor,
    commit: bool = True,
) -> str:
    """Attach a contact point a source system reported for a customer or a source record; return it normalised.

    Attached to a source record (`source_key`), it takes part in matching like the record's own
    contact points and survives new versions of the record. Idempotent.
    """
    if (customer_id is None) == (source_key is None):
        raise InvalidInput("give exactly one of customer_id or source_key", field="customer_id")
    source = check_system(source, "source")
    lock_state(session)
    record = _record(session, source_key) if source_key is not None else None
    owner = record.customer_id if record is not None else survivor_of(session, customer_id)
    if owner is None:
        raise NotFound(f"no customer {customer_id!r}; register it first", field="customer_id")
    country = (
        record.country
        if record is not None
        else session.execute(sa.select(CUS.c.country).where(CUS.c.id == owner)).scalar()
    )
    normalised = normalise_contact_point(kind, value, region_for(country))
    where = [CP.c.kind == kind, CP.c.value == normalised]
    if record is not None:
        where.append(CP.c.record_id == record.id)
    else:
        where += [CP.c.customer_id == owner, CP.c.record_id.is_(None), CP.c.source == source]
    if session.execute(sa.select(CP.c.id).where(*where).limit(1)).first() is None:
        session.execute(
            sa.insert(CP).values(kind=kind, value=normalised, customer_id=owner,
                                 record_id=record.id if record is not None else None, source=source,
                                 origin="attached", raw=str(value).strip()[:400],
                                 first_seen_at=observed_at or clock.now())
        )  # fmt: skip
        if record is not None:
            recluster(session, rules=active_rules(session), values={(kind, normalised)}, records={record.id})
        audit.record(session, actor, "identity.contact_point.add", "customer", owner,
                     {"kind": kind, "source": source, "source_key": source_key})  # fmt: skip
    if commit:
        session.commit()
    return normalised


def _record(session: Session, source_key: str):
    pair = split_source_key(source_key)
    if pair is None:
        raise InvalidInput("source_key is written system:key, e.g. crm:C0001234", field="source_key")
    row = session.execute(
        sa.select(SR.c.id, SR.c.customer_id, SR.c.country).where(
            SR.c.source_system == pair[0], SR.c.source_key == pair[1]
        )
    ).first()
    if row is None:
        raise NotFound(f"no source record {source_key!r}; upsert the record first", field="source_key")
    return row


def rebuild(
    session: Session, *, actor: Actor, rules: MatchRules | None = None, commit: bool = True
) -> RebuildResult:
    """Re-run match-and-merge over every source record (activating `rules` if given); ids stay stable."""
    lock_state(session)
    if rules is not None:
        store_rules(session, rules)
    rules = active_rules(session)
    stats = recluster(session, rules=rules, full=True, cause="rebuild")
    active = session.execute(
        sa.select(sa.func.count()).select_from(CUS).where(CUS.c.status == "active", CUS.c.record_count > 0)
    ).scalar_one()
    result = RebuildResult(
        records=stats.records, customers=active, links=stats.links, merged=stats.merged,
        new_customers=stats.new_customers, split=stats.split, moved_records=stats.moved,
        rules_version=rules.version,
    )  # fmt: skip
    audit.record(session, actor, "identity.rebuild", "rules", rules.version, result.__dict__)
    if commit:
        session.commit()
    return result
