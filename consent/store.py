"""Append-only fact storage: idempotent inserts keyed on (source, id); a changed duplicate is a conflict."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from consent.events import ValidEvent, batch_label
from consent.models import (
    ConsentRecordRow,
    DncRequestRow,
    GpcSignalRow,
    RegistryNumberRow,
    RegistrySnapshotRow,
    RelationshipRow,
    SuppressionRow,
)
from core.errors import Conflict

FACT_TABLES = {
    "consent": ConsentRecordRow.__table__,
    "suppression": SuppressionRow.__table__,
    "dnc_request": DncRequestRow.__table__,
    "gpc_signal": GpcSignalRow.__table__,
    "relationship": RelationshipRow.__table__,
    "dnc_registry_snapshot": RegistrySnapshotRow.__table__,
}
CHUNK = 5000


def chunks(values: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    """Slices of at most `size` (keeps IN lists under every database's parameter limit)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def store_facts(
    session: Session,
    events: Sequence[ValidEvent],
    *,
    actor: str,
    now: datetime,
    label: Callable[[int], str] = batch_label,
) -> tuple[list[ValidEvent], Counter]:
    """Insert the new facts of a validated batch; returns them and duplicates per type (Conflict on a changed id)."""
    fresh: dict[tuple[str, str, str], ValidEvent] = {}
    duplicates: Counter = Counter()
    for event in events:
        if event.type not in FACT_TABLES:
            continue
        key = (event.type, event.source, event.source_id)
        earlier = fresh.get(key)
        if earlier is None:
            fresh[key] = event
        elif earlier.content_hash == event.content_hash:
            duplicates[event.type] += 1
        else:
            first = label(earlier.index)
            raise Conflict(
                f"{label(event.index)} repeats {event.type} id {event.source_id!r} from {event.source} of {first} with different "
                "content; records are append-only: give a changed record a new id",
                field=f"{label(event.index)}.id",
            )
    for key, stored_hash in _existing(session, list(fresh)).items():
        event = fresh.pop(key)
        if stored_hash != event.content_hash:
            raise Conflict(
                f"{label(event.index)}: {event.type} {event.source}/{event.source_id} is already stored with different content; "
                "records are append-only: give a changed record a new id",
                field=f"{label(event.index)}.id",
            )
        duplicates[event.type] += 1
    new = sorted(fresh.values(), key=lambda e: e.index)
    _insert(session, new, actor=actor, now=now)
    return new, duplicates


def _existing(session: Session, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
    wanted: dict[tuple[str, str], list[str]] = {}
    for kind, source, source_id in keys:
        wanted.setdefault((kind, source), []).append(source_id)
    found = {}
    for (kind, source), ids in wanted.items():
        table = FACT_TABLES[kind]
        query = sa.select(table.c.source_id, table.c.content_hash).where(
            table.c.source == source, table.c.source_id.in_(sa.bindparam("ids", expanding=True))
        )
        for part in chunks(ids):
            for source_id, content_hash in session.execute(query, {"ids": list(part)}):
                found[(kind, source, source_id)] = content_hash
    return found


def _insert(session: Session, events: list[ValidEvent], *, actor: str, now: datetime) -> None:
    rows: dict[str, list[dict]] = {}
    for event in events:
        row = {
            **event.row,
            "source": event.source,
            "source_id": event.source_id,
            "content_hash": event.content_hash,
            "ingested_at": now,
            "ingested_by": actor,
        }
        if event.type == "dnc_registry_snapshot":
            seq = session.execute(
                sa.insert(FACT_TABLES[event.type]).returning(RegistrySnapshotRow.__table__.c.seq), row
            )
            snapshot_seq = seq.scalar_one()
            numbers = [{"snapshot_seq": snapshot_seq, "phone": n} for n in event.numbers]
            for part in chunks(numbers, 20000):
                session.execute(sa.insert(RegistryNumberRow.__table__), list(part))
        else:
            rows.setdefault(event.type, []).append(row)
    for kind, batch in rows.items():
        for part in chunks(batch, 20000):
            session.execute(sa.insert(FACT_TABLES[kind]), list(part))
