"""Usage: dataset views and query counts per day and per reader, shown as popularity and used in ranking.

Views are telemetry, not governance changes, so they are not written to the audit log; imported
query counts (a batch from a warehouse's query log) are audited once per batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from catalog.models_ops import CatalogUsageDaily, CatalogUsageReader
from catalog.registry import get_row, resolve
from catalog.search.documents import POPULARITY_DAYS
from catalog.search.index import update_signals
from core import audit, clock
from core.audit import Actor
from core.errors import InvalidInput, NotFound

DAILY = CatalogUsageDaily.__table__
READER = CatalogUsageReader.__table__
KINDS = ("view", "query")


@dataclass(frozen=True)
class UsageEvent:
    """`count` views or queries of a dataset by `reader` on the day of `at`."""

    namespace: str
    name: str
    kind: str = "query"
    count: int = 1
    reader: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Popularity:
    """How much a dataset is used: last 90 days, most frequent readers, last 30 days by day."""

    views: int
    queries: int
    score: float
    top_readers: list[tuple[str, int]]
    daily: list[tuple[date, int, int]]


def _insert(session: Session, table):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(table)


def _add(session: Session, dataset_id: str, kind: str, count: int, reader: str | None, at: datetime) -> None:
    views, queries = (count, 0) if kind == "view" else (0, count)
    stmt = _insert(session, DAILY).values(dataset_id=dataset_id, day=at.date(), views=views, queries=queries)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["dataset_id", "day"],
            set_={
                "views": DAILY.c.views + stmt.excluded.views,
                "queries": DAILY.c.queries + stmt.excluded.queries,
            },
        )
    )
    if reader:
        stmt = _insert(session, READER).values(
            dataset_id=dataset_id, reader=reader[:200], count=count, last_at=at
        )
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["dataset_id", "reader"],
                set_={"count": READER.c.count + stmt.excluded.count, "last_at": stmt.excluded.last_at},
            )
        )


def record_view(session: Session, *, dataset_id: str, reader: str | None = None, commit: bool = True) -> None:
    """Someone opened the dataset's page."""
    get_row(session, dataset_id)
    _add(session, dataset_id, "view", 1, reader, clock.now())
    update_signals(session, [dataset_id])
    if commit:
        session.commit()


def record_usage(session: Session, *, events: Sequence[UsageEvent], actor: Actor) -> int:
    """Add a batch of views or query counts (all or nothing; errors name the event); returns events added."""
    resolved = []
    for i, e in enumerate(events):
        if e.kind not in KINDS:
            raise InvalidInput("kind must be view or query", field=f"events[{i}].kind")
        if isinstance(e.count, bool) or not isinstance(e.count, int) or not 1 <= e.count <= 10**9:
            raise InvalidInput("count must be a whole number from 1", field=f"events[{i}].count")
        row = resolve(session, e.namespace, e.name)
        if row is None:
            raise NotFound(f"no dataset {e.namespace}:{e.name}", field=f"events[{i}].name")
        resolved.append((row.id, e))
    for ds_id, e in resolved:
        _add(session, ds_id, e.kind, e.count, e.reader, clock.as_utc(e.at) if e.at else clock.now())
    ids = sorted({ds for ds, _ in resolved})
    update_signals(session, ids)
    audit.record(
        session, actor, "dataset.usage", "dataset", "*", {"events": len(resolved), "datasets": len(ids)}
    )
    session.commit()
    return len(resolved)


def popularity(session: Session, *, dataset_id: str) -> Popularity:
    """A dataset's usage over the last 90 days."""
    get_row(session, dataset_id)
    since = (clock.now() - timedelta(days=POPULARITY_DAYS)).date()
    rows = session.execute(
        sa.select(DAILY.c.day, DAILY.c.views, DAILY.c.queries)
        .where(DAILY.c.dataset_id == dataset_id, DAILY.c.day >= since)
        .order_by(DAILY.c.day)
    ).all()
    views, queries = sum(r.views for r in rows), sum(r.queries for r in rows)
    readers = session.execute(
        sa.select(READER.c.reader, READER.c.count)
        .where(READER.c.dataset_id == dataset_id)
        .order_by(READER.c.count.desc(), READER.c.reader)
        .limit(10)
    ).all()
    recent = (clock.now() - timedelta(days=30)).date()
    daily = defaultdict(lambda: (0, 0))
    for r in rows:
        if r.day >= recent:
            daily[r.day] = (r.views, r.queries)
    return Popularity(
        views=views,
        queries=queries,
        score=float(views + 3 * queries),
        top_readers=[(r.reader, r.count) for r in readers],
        daily=[(d, v, q) for d, (v, q) in sorted(daily.items())],
    )
