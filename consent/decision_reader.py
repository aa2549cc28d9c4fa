"""The hot read of the unified table: plain DBAPI on a pooled connection, one indexed query per chunk.

Eligibility checks are the hottest path of the service, so they skip the ORM and SQL compilation: the
statement text is fixed per dialect and rows come back as tuples.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from sqlmodel import Session

from consent.store import CHUNK

_COLUMNS = ("customer_id, contact_point, ordinal, allowed, reason, valid_until, decided_by_kind, decided_by_id, "
            "decided_by_source, policy_version, evaluated_at")  # fmt: skip


# Whether time alone has overtaken the stored answer, decided by the database with `now` bound natively.
_LAPSED = "CASE WHEN valid_until IS NOT NULL AND valid_until <= {m} THEN 1 ELSE 0 END"


# Positions in a stored row (plain tuples: a bulk check reads 100,000 of them).
(
    CUSTOMER,
    POINT,
    ORDINAL,
    ALLOWED,
    REASON,
    VALID_UNTIL,
    BY_KIND,
    BY_ID,
    BY_SOURCE,
    POLICY,
    EVALUATED,
    LAPSED,
) = range(12)
StoredRow = tuple


@contextlib.contextmanager
def paused_gc(enabled: bool = True) -> Iterator[None]:
    """Pause the cyclic collector through a burst of acyclic allocations (a bulk check's tuples and strings).

    Reference counting still frees everything; only the full-heap scans that a burst of 100,000s of new
    objects would trigger are skipped.
    """
    if not enabled or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def instant(value) -> datetime | None:
    """A stored instant as an aware UTC datetime."""
    # SQLite hands back the stored text (naive UTC); PostgreSQL an aware datetime.
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


@functools.lru_cache(maxsize=64)
def _sql(marker: str, count: int) -> str:
    ids = ", ".join([marker] * count)
    return (
        f"SELECT {_COLUMNS}, {_LAPSED.format(m=marker)} FROM consent_decision WHERE customer_id IN ({ids}) "
        f"AND channel = {marker} AND purpose = {marker} ORDER BY customer_id, ordinal"
    )


def _bound_now(now: datetime, dialect: str):
    # SQLite keeps naive UTC text in SQLAlchemy's fixed-width format, which compares in time order.
    if dialect == "sqlite":
        return now.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return now


def read_rows(
    session: Session, customer_ids: Sequence[str], channel: str, purpose: str, now: datetime
) -> dict[str, list[StoredRow]]:
    """Rows per customer for one channel and purpose, in contact-point order, flagged when lapsed at `now`."""
    found: dict[str, list[StoredRow]] = defaultdict(list)
    customer_ids = sorted(set(customer_ids))  # key order: each chunk reads one stretch of the index
    if not customer_ids:
        return found
    engine = session.get_bind()
    marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    bound = _bound_now(now, engine.dialect.name)
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        for start in range(0, len(customer_ids), CHUNK):
            part = list(customer_ids[start : start + CHUNK])
            cursor.execute(_sql(marker, len(part)), (bound, *part, channel, purpose))
            for r in cursor.fetchall():
                found[r[0]].append(r)
        cursor.close()
    finally:
        conn.close()
    return found
