"""Ingest a batch of events: identity first, then facts, then the affected decisions, all in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from consent import lineage_refs, unify
from consent.events import ValidEvent, batch_label, validate_events
from consent.policies import active_policy
from consent.store import store_facts
from consent.subjects import customers_for
from core import audit, clock, metrics
from core.audit import Actor
from core.ids import new_id
from core.openlineage import NULL_EMITTER, DatasetRef, Emitter
from identity import service as identity
from identity.service import SourceRecordIn

T = TypeVar("T")


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
    job: str = lineage_refs.INGEST_JOB,
    label: Callable[[int], str] = batch_label,
    progress: Callable[[int], None] | None = None,
    commit: bool = True,
    unify_now: bool = True,
) -> IngestResult:
    """Validate, store and unify a batch all-or-nothing; InvalidInput/Conflict name the first bad event.

    `unify_now=False` (bulk loads that unify once at the end) stores the facts and lists the customers
    whose decisions are due in `pending` instead of recomputing them. `job` names the OpenLineage job
    (a pull is its own job per source, so each source's tables stay on the graph).
    """
    policy = active_policy(session)
    now = clock.now()
    valid = validate_events(events, policy, now=now, label=label, progress=progress)
    result = IngestResult(batch_id=new_id("cib"), received=len(valid))
    inputs = list(inputs) if inputs is not None else lineage_refs.api_inputs(e.source for e in valid)
    emitter = emitter or NULL_EMITTER
    with emitter.run(job, inputs=inputs, outputs=[lineage_refs.RECORDS, lineage_refs.DECISIONS]) as run:
        affected = _identity_events(session, valid, actor, result)
        new, duplicates = store_facts(session, valid, actor=actor.label, now=now, label=label)
        result.duplicates.update(duplicates)
        result.stored.update(e.type for e in new)
        metrics.on_commit(session, lambda: _count_stored(new, now))
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


# The instant a fact happened at its source, per type: what ingestion lag is measured from.
EVENT_TIME = ("captured_at", "observed_at", "occurred_at", "downloaded_at")
RETRIED_PG_CODES = {"23505", "40P01", "40001"}  # unique violation, deadlock, serialization failure


def ingest_events_retrying(session: Session, *, attempts: int = 3, **kwargs: Any) -> IngestResult:
    """`ingest_events` (committing), again from the start when a concurrent batch with the same records won a race."""
    return retrying(session, lambda: ingest_events(session, **kwargs), attempts=attempts)


def retrying(session: Session, work: Callable[[], T], *, attempts: int = 3) -> T:
    """Run `work` (one whole transaction), rolled back and run again after a lost race on PostgreSQL.

    Two transactions storing the same (source, id) or recomputing the same customer both pass the
    duplicate check; the later one fails on the unique key (or a deadlock). Run again, it sees the
    winner's rows as duplicates. SQLite serialises writers, so it never gets here.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except sa.exc.DBAPIError as exc:
            code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
            session.rollback()
            if code not in RETRIED_PG_CODES or attempt == attempts:
                raise
    raise AssertionError("unreachable")


def _count_stored(new: Sequence[ValidEvent], now) -> None:
    """Records stored per type and source, and how long after capture each arrived (after the commit)."""
    per_kind: Counter = Counter((e.type, e.source) for e in new)
    for (kind, source), n in per_kind.items():
        metrics.count_records_ingested(kind, n, source=source)
    for e in new:
        happened = next((e.row[k] for k in EVENT_TIME if e.row.get(k) is not None), None)
        if happened is not None:
            metrics.observe_ingestion_lag(e.source, (now - happened).total_seconds())


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
