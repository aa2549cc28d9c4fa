"""Derivation of stored events: inline for the CLI and Concord's own events, queued for the HTTP API.

The API stores an event and answers 201 at once (as Marquez does); the event is queued in
`lineage_pending` and a deriver applies queued events in batches, one transaction per batch, with the
catalogue registration in the same transaction. Derivers of several processes take turns: SQLite's
write lock, or a PostgreSQL advisory lock. An event whose derivation fails even alone is set aside
(`failed`, with the error) and reported by `pending_status`; the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlmodel import Session, select

import catalog
from core import clock, leases
from core.audit import Actor
from lineage import catalog_sync, derive, propagation
from lineage.models import LineageEvent, LineagePending
from lineage.storage import dialect, insert_ignore
from lineage.validate import ParsedEvent, from_store

log = logging.getLogger(__name__)

# Derivation, the catalogue registration it makes and Concord's own events act as this principal.
INTERNAL = Actor(name="concord-openlineage", role="ingest", kind="system")
DERIVE_LOCK = "lineage.derive"  # the advisory lock derivers of all processes take turns on
BATCH = 500


def take_lock(session: Session) -> None:
    """Serialise derivation across processes (SQLite writers already hold the database's write lock)."""
    if dialect(session) == "postgresql":
        # Scoped to the schema, so deployments (and parallel test workers) sharing a database never wait on each other.
        # The key needs the connection's schema, which never changes: asked once per pooled connection.
        conn = session.connection()
        if DERIVE_LOCK not in conn.info:
            conn.info[DERIVE_LOCK] = leases.advisory_key(conn, DERIVE_LOCK)
        classid, objid = conn.info[DERIVE_LOCK]
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:c, :o)"), {"c": classid, "o": objid})


def apply(session: Session, events: Sequence[ParsedEvent]) -> derive.Derived:
    """Derive `events` now, in the caller's transaction, with the catalogue registration and propagation."""
    take_lock(session)
    derived = derive.apply(session, events)
    with catalog.deferred_reindex(session):  # one search reindex for the whole batch
        catalog_sync.sync(session, derived, actor=INTERNAL)
        live = {d.id for d in derived.live()}
        outputs = [ds_id for ds_id in derived.column_lineage if ds_id in live]
        if outputs:
            propagation.after_ingest(session, outputs, actor=INTERNAL)
    return derived


def enqueue(session: Session, seqs: Sequence[int]) -> None:
    """Queue stored events for the deriver."""
    now = clock.now()
    insert_ignore(
        session, LineagePending, [{"seq": s, "queued_at": now, "attempts": 0, "failed": False} for s in seqs]
    )


def derive_pending(session: Session, *, limit: int = BATCH) -> int:
    """Derive up to `limit` queued events in one transaction (committed); how many were taken."""
    take_lock(session)
    rows = session.exec(
        select(LineagePending.seq, LineageEvent.event_hash, LineageEvent.payload)
        .join(LineageEvent, LineageEvent.seq == LineagePending.seq)
        .where(LineagePending.failed == sa.false())
        .order_by(LineagePending.seq)
        .limit(limit)
    ).all()
    if not rows:
        session.rollback()
        return 0
    try:
        apply(session, [from_store(orjson.loads(payload), event_hash) for _, event_hash, payload in rows])
        _done(session, [seq for seq, _, _ in rows])
        session.commit()
    except Exception:
        session.rollback()
        log.exception("deriving %d queued lineage events failed; retrying them one by one", len(rows))
        _one_by_one(session, rows)
    return len(rows)


def _done(session: Session, seqs: list[int]) -> None:
    session.execute(sa.delete(LineagePending).where(LineagePending.seq.in_(seqs)))


def _one_by_one(session: Session, rows) -> None:
    for seq, event_hash, payload in rows:
        try:
            take_lock(session)
            apply(session, [from_store(orjson.loads(payload), event_hash)])
            _done(session, [seq])
            session.commit()
        except Exception as exc:  # set this one aside so the queue keeps moving
            session.rollback()
            log.exception("lineage event %s could not be derived; set aside", seq)
            session.execute(
                sa.update(LineagePending)
                .where(LineagePending.seq == seq)
                .values(
                    failed=True,
                    attempts=LineagePending.attempts + 1,
                    error=f"{type(exc).__name__}: {exc}"[:2000],
                )
            )
            session.commit()


@dataclass(frozen=True)
class PendingStatus:
    """Events waiting for derivation, and those set aside because deriving them failed."""

    waiting: int
    failed: int
    errors: list[tuple[int, str]]


def pending_status(session: Session) -> PendingStatus:
    """How far derivation is behind, and which events failed (seq, error)."""
    waiting = session.exec(
        select(sa.func.count()).select_from(LineagePending).where(LineagePending.failed == sa.false())
    ).one()
    failed = session.exec(
        select(LineagePending.seq, LineagePending.error)
        .where(LineagePending.failed == sa.true())
        .order_by(LineagePending.seq)
    ).all()
    return PendingStatus(waiting=waiting, failed=len(failed), errors=[(s, e or "") for s, e in failed[:100]])


def retry_failed(session: Session) -> int:
    """Put events set aside back in the queue (after a fix); how many."""
    result = session.execute(
        sa.update(LineagePending).where(LineagePending.failed == sa.true()).values(failed=False)
    )
    session.commit()
    return result.rowcount or 0
