"""Ingest a batch of events: identity first, then facts, then the affected decisions, all in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from consent import lineage_refs, unify
from consent.events import ValidEvent, batch_label, validate_events
from consent.policies import active_policy
from consent.store import store_facts
from consent.subjects import customers_for
from core import audit, clock
from core.audit import Actor
from core.ids import new_id
from core.openlineage import NULL_EMITTER, DatasetRef, Emitter
from identity import service as identity
from identity.service import SourceRecordIn


@dataclass
class IngestResult:
    """Counts of one batch: events received, stored and duplicate per type, decisions recomputed."""

    batch_id: str
    received: int = 0
    stored: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)
    customers_recomputed: int = 0
    decisions_written: int = 0
    pending: set[str] = field(default_factory=set)  # customers left to unify when `unify=False`
    everyone_pending: bool = False  # a new registry snapshot: every customer's voice decisions are due


def ingest_events(
    session: Session,
    *,
    events: Sequence[Any],
    actor: Actor,
    emitter: Emitter | None = None,
    inputs: Sequence[DatasetRef] | None = None,
    label: Callable[[int], str] = batch_label,
    progress: Callable[[int], None] | None = None,
    commit: bool = True,
    unify_now: bool = True,
) -> IngestResult:
    """Validate, store and unify a batch all-or-nothing; InvalidInput/Conflict name the first bad event.

    `unify_now=False` (bulk loads that unify once at the end) stores the facts and lists the customers
    whose decisions are due in `pending` instead of recomputing them.
    """
    policy = active_policy(session)
    now = clock.now()
    valid = validate_events(events, policy, now=now, label=label, progress=progress)
    result = IngestResult(batch_id=new_id("cib"), received=len(valid))
    inputs = list(inputs) if inputs is not None else lineage_refs.api_inputs(e.source for e in valid)
    emitter = emitter or NULL_EMITTER
    with emitter.run(
        lineage_refs.INGEST_JOB, inputs=inputs, outputs=[lineage_refs.RECORDS, lineage_refs.DECISIONS]
    ) as run:
        affected = _identity_events(session, valid, actor, result)
        new, duplicates = store_facts(session, valid, actor=actor.label, now=now, label=label)
        result.duplicates.update(duplicates)
        result.stored.update(e.type for e in new)
        affected |= customers_for(session, _touched(new))
        snapshot = any(e.type == "dnc_registry_snapshot" for e in new)
        if not unify_now:
            result.pending, result.everyone_pending = affected, snapshot
            affected = set()
        elif snapshot:
            # A new snapshot changes staleness for every number, listed or not.
            affected |= set(unify.known_customers(session))
        stats = unify.recompute(session, sorted(affected), policy=policy, now=now)
        result.customers_recomputed, result.decisions_written = stats.customers, stats.decisions
        run.count(lineage_refs.RECORDS, len(new))  # facts only: profiles and contact points went to identity
        run.count(lineage_refs.DECISIONS, stats.decisions)
        audit.record(
            session,
            actor,
            "consent.ingest",
            "consent_batch",
            result.batch_id,
            {
                "received": result.received,
                "stored": dict(result.stored),
                "duplicates": dict(result.duplicates),
                "customers_recomputed": stats.customers,
                "policy_version": policy.version,
            },
        )
        if commit:
            session.commit()
    return result


def _touched(events: Sequence[ValidEvent]) -> set[tuple[str, str]]:
    pairs = set()
    for event in events:
        if event.subject is not None:
            pairs.add(event.subject)
        if event.contact is not None:
            pairs.add(event.contact)
    return pairs


def _identity_events(
    session: Session, valid: Sequence[ValidEvent], actor: Actor, result: IngestResult
) -> set[str]:
    """Profiles and contact points go to identity (in this transaction); returns the customers they touch."""
    affected: set[str] = set()
    profiles = [e for e in valid if e.type == "profile"]
    crosswalk = [(e.source, e.row["source_key"], e.row["customer"]) for e in profiles if e.row["customer"]]
    if crosswalk:
        identity.import_crosswalk(session, rows=crosswalk, actor=actor, commit=False)
    if profiles:
        before = customers_for(
            session, (("source_key", f"{e.source}:{e.row['source_key']}") for e in profiles)
        )
        records = [_source_record(e) for e in profiles]
        upserted = identity.upsert_source_records(session, records=records, actor=actor, commit=False)
        result.stored["profile"] += upserted.inserted + upserted.updated
        result.duplicates["profile"] += upserted.unchanged
        affected |= set(upserted.keys.values()) | before
    for e in (e for e in valid if e.type == "contact_point"):
        kind, value = e.contact
        subject_kind, subject = e.subject
        identity.add_contact_point(
            session,
            customer_id=subject if subject_kind == "customer" else None,
            source_key=subject if subject_kind == "source_key" else None,
            kind=kind,
            value=value,
            source=e.source,
            observed_at=e.row["observed_at"],
            actor=actor,
            commit=False,
        )
        result.stored["contact_point"] += 1
        affected |= customers_for(session, [e.subject, e.contact])
    return affected


def _source_record(e: ValidEvent) -> SourceRecordIn:
    row = e.row
    return SourceRecordIn(
        source_system=e.source,
        source_key=row["source_key"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        full_name=row["full_name"],
        emails=row["emails"],
        phones=row["phones"],
        street=row["street"],
        city=row["city"],
        postal_code=row["postal_code"],
        region=row["region"],
        country=row["country"],
        jurisdiction=row["jurisdiction"],
        observed_at=row["observed_at"],
    )
