"""The append-only log of raw events: append once per distinct event, page through, replay, purge."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from core import clock
from lineage.models import LineageEvent, LineagePending
from lineage.storage import dialect
from lineage.validate import ParsedEvent

MAX_PAGE = 1000


def append(session: Session, parsed: ParsedEvent) -> int | None:
    """Store the event unless an identical one is stored already; its sequence number, or None if a duplicate."""
    return append_many(session, [parsed])[0]


def append_many(session: Session, events: list[ParsedEvent]) -> list[int | None]:
    """`append` for many events in one statement: per event its sequence number, or None if a duplicate."""
    first: dict[str, ParsedEvent] = {}
    for parsed in events:
        first.setdefault(parsed.event_hash, parsed)
    seqs: dict[str, int] = {}
    if first:
        statement = _append_many_statement(dialect(session))
        rows = session.execute(statement, [_row(p) for p in first.values()]).all()
        seqs = {event_hash: seq for seq, event_hash in rows}
    # An event repeated within the batch is stored once: the first time.
    return [seqs.get(p.event_hash) if first[p.event_hash] is p else None for p in events]


def _row(parsed: ParsedEvent) -> dict:
    return {
        "event_hash": parsed.event_hash,
        "kind": parsed.kind,
        "event_type": parsed.event_type,
        "event_time": parsed.event_time,
        "received_at": clock.now(),
        "run_id": parsed.run_id,
        "job_namespace": (parsed.event.get("job") or {}).get("namespace"),
        "job_name": (parsed.event.get("job") or {}).get("name"),
        "producer": str(parsed.event.get("producer")),
        "size_bytes": len(parsed.payload),
        "payload": parsed.payload,
    }


@functools.cache
def _append_many_statement(dialect_name: str):
    # ON CONFLICT DO NOTHING: two clients racing with the same event store it once, without an error.
    table = LineageEvent.__table__
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["event_hash"])
        .returning(table.c.seq, table.c.event_hash)
    )


def exists(session: Session, event_hash: str) -> bool:
    """Whether an event with this hash is stored."""
    return (
        session.exec(select(LineageEvent.seq).where(LineageEvent.event_hash == event_hash)).first()
        is not None
    )


@dataclass(frozen=True)
class EventPage:
    """Raw events, newest first (or oldest first), with the total matching the time window."""

    events: list[dict[str, Any]]
    total_count: int


def page(
    session: Session,
    *,
    before: datetime | None = None,
    after: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
    ascending: bool = False,
) -> EventPage:
    """Events with `after <= eventTime < before`, Marquez-style (`before`, `after`, `limit`, `offset`)."""
    conditions = []
    if before is not None:
        conditions.append(LineageEvent.event_time < before)
    if after is not None:
        conditions.append(LineageEvent.event_time >= after)
    order = (
        (LineageEvent.event_time.asc(), LineageEvent.seq.asc())
        if ascending
        else (LineageEvent.event_time.desc(), LineageEvent.seq.desc())
    )
    rows = session.exec(
        select(LineageEvent.payload)
        .where(*conditions)
        .order_by(*order)
        .offset(offset)
        .limit(min(limit, MAX_PAGE))
    ).all()
    total = session.exec(select(sa.func.count()).select_from(LineageEvent).where(*conditions)).one()
    return EventPage(events=[orjson.loads(p) for p in rows], total_count=total)


def replay(session: Session, *, batch: int = 500) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """Every stored event in the order it was stored, as (seq, hash, raw object)."""
    after = 0
    while True:
        rows = session.exec(
            select(LineageEvent.seq, LineageEvent.event_hash, LineageEvent.payload)
            .where(LineageEvent.seq > after)
            .order_by(LineageEvent.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        for seq, event_hash, payload in rows:
            yield seq, event_hash, orjson.loads(payload)
        after = rows[-1][0]


def count(session: Session) -> int:
    """How many raw events are stored."""
    return session.exec(select(sa.func.count()).select_from(LineageEvent)).one()


def delete_received_before(session: Session, cutoff: datetime) -> int:
    """Delete events stored before `cutoff`, except those still waiting for derivation; how many went."""
    waiting = sa.select(LineagePending.seq)
    result = session.execute(
        sa.delete(LineageEvent).where(LineageEvent.received_at < cutoff, LineageEvent.seq.not_in(waiting))
    )
    return result.rowcount or 0
