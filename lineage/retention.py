"""Retention: purge raw events older than a configured age without touching the current graph.

Derived rows (datasets, jobs, runs, edges, column lineage) are left as they are, so the graph, run
history and point-in-time queries keep working. What a later `rebuild` can restore is only what the
remaining events say: runs, versions and edges known only from purged events would be lost, so
`rebuild` refuses after a purge unless told the result may be partial (see `lineage.rebuild`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from core import audit, clock
from core.audit import Actor
from core.clock import iso, parse_instant
from core.errors import InvalidInput
from core.settings import Settings
from lineage import raw_store
from lineage.models import LineageMeta

PURGED_BEFORE = "purged_before"
PURGED_COUNT = "purged_count"


@dataclass(frozen=True)
class PurgeResult:
    """How many raw events were deleted, and the cutoff (events stored before it went)."""

    deleted: int
    cutoff: datetime


def purge_events(
    session: Session, *, older_than: timedelta, actor: Actor, commit: bool = True
) -> PurgeResult:
    """Delete raw events stored more than `older_than` ago; the derived graph stays."""
    if older_than <= timedelta(0):
        raise InvalidInput("older_than must be a positive age, e.g. 90 days", field="older_than")
    cutoff = clock.now() - older_than
    deleted = raw_store.delete_received_before(session, cutoff)
    if deleted:
        previous = purged_before(session)
        _set(session, PURGED_BEFORE, iso(max(cutoff, previous) if previous else cutoff))
        _set(session, PURGED_COUNT, str(purged_count(session) + deleted))
    audit.record(
        session,
        actor,
        "lineage.purge",
        "lineage_event",
        f"before {iso(cutoff)}",
        {"deleted": deleted, "cutoff": iso(cutoff)},
    )
    if commit:
        session.commit()
    return PurgeResult(deleted=deleted, cutoff=cutoff)


def purge_expired(session: Session, *, settings: Settings, actor: Actor) -> PurgeResult | None:
    """What the scheduled job runs: purge by `CONCORD_LINEAGE_RETENTION_DAYS`, nothing when unset."""
    if not settings.lineage_retention_days:
        return None
    return purge_events(session, older_than=timedelta(days=settings.lineage_retention_days), actor=actor)


def purged_before(session: Session) -> datetime | None:
    """The latest purge cutoff, if any event was ever purged."""
    row = session.get(LineageMeta, PURGED_BEFORE)
    return parse_instant(row.value) if row else None


def purged_count(session: Session) -> int:
    """How many raw events were purged so far."""
    row = session.get(LineageMeta, PURGED_COUNT)
    return int(row.value) if row else 0


def _set(session: Session, key: str, value: str) -> None:
    row = session.get(LineageMeta, key)
    if row is None:
        session.add(LineageMeta(key=key, value=value))
    else:
        row.value = value
