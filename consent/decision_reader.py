"""The hot read of the unified table: plain DBAPI on a pooled connection, one indexed query per chunk.

Eligibility checks are the hottest path of the service, so they skip the ORM and SQL compilation: the
statement text is fixed per dialect and rows come back as tuples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from sqlmodel import Session

from consent.store import CHUNK

_COLUMNS = ("customer_id, contact_point, ordinal, allowed, reason, valid_until, decided_by_kind, decided_by_id, "
            "decided_by_source, policy_version, evaluated_at")  # fmt: skip


class StoredRow(NamedTuple):
    """One unified decision as read for an eligibility answer."""

    customer_id: str
    contact_point: str
    ordinal: int
    allowed: bool
    reason: str
    valid_until: datetime | None
    decided_by_kind: str | None
    decided_by_id: str | None
    decided_by_source: str | None
    policy_version: str
    evaluated_at: datetime


def _instant(value) -> datetime | None:
    # SQLite hands back the stored text (naive UTC); PostgreSQL an aware datetime.
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _sql(marker: str, count: int) -> str:
    ids = ", ".join([marker] * count)
    return (f"SELECT {_COLUMNS} FROM consent_decision WHERE customer_id IN ({ids}) "
            f"AND channel = {marker} AND purpose = {marker} ORDER BY customer_id, ordinal")  # fmt: skip


def read_rows(
    session: Session, customer_ids: Sequence[str], channel: str, purpose: str
) -> dict[str, list[StoredRow]]:
    """Rows per customer for one channel and purpose, in contact-point order."""
    found: dict[str, list[StoredRow]] = defaultdict(list)
    if not customer_ids:
        return found
    engine = session.get_bind()
    marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        for start in range(0, len(customer_ids), CHUNK):
            part = list(customer_ids[start : start + CHUNK])
            cursor.execute(_sql(marker, len(part)), (*part, channel, purpose))
            for r in cursor.fetchall():
                found[r[0]].append(
                    StoredRow(
                        r[0],
                        r[1],
                        r[2],
                        bool(r[3]),
                        r[4],
                        _instant(r[5]),
                        r[6],
                        r[7],
                        r[8],
                        r[9],
                        _instant(r[10]),
                    )
                )
        cursor.close()
    finally:
        conn.close()
    return found
