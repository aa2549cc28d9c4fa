"""The unified decisions table: recomputed incrementally for affected customers, rebuildable from the facts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from consent import subjects as subject_lookup
from consent.evaluator import decide
from consent.fact_loader import load_facts
from consent.facts import SubjectFacts
from consent.models import DecisionRow
from consent.policy_model import Policy
from consent.store import FACT_TABLES, chunks

DEC = DecisionRow.__table__
CUSTOMER_CHUNK = 1000


@dataclass
class UnifyStats:
    """What a recomputation did."""

    customers: int = 0
    decisions: int = 0
    removed_ids: int = 0


def decision_rows(facts: SubjectFacts, policy: Policy, now: datetime) -> list[dict]:
    """Every unified decision of one customer at `now`, as rows of consent_decision."""
    rows = []
    for channel, purpose in policy.unified_pairs():
        points = facts.points(policy.channels[channel].contact_point_kind) or ("",)
        for ordinal, point in enumerate(points):
            d = decide(
                facts,
                policy,
                channel=channel,
                purpose=purpose,
                contact_point=point or None,
                at=now,
                explain=False,
            )
            by = d.decided_by
            rows.append(
                {
                    "customer_id": facts.customer_id,
                    "channel": channel,
                    "purpose": purpose,
                    "contact_point": point,
                    "ordinal": ordinal,
                    "allowed": d.allowed,
                    "reason": d.reason,
                    "decided_by_kind": by.kind if by else None,
                    "decided_by_id": by.id if by else None,
                    "decided_by_source": by.source if by else None,
                    "policy_version": policy.version,
                    "evaluated_at": now,
                    "valid_until": d.valid_until,
                    "rule": d.rule,
                }
            )
    return rows


def recompute(session: Session, customer_ids: Iterable[str], *, policy: Policy, now: datetime) -> UnifyStats:
    """Re-evaluate the given customers (merged ids are replaced by their survivors), in the caller's transaction."""
    stats = UnifyStats()
    requested = list(dict.fromkeys(customer_ids))
    _serialise(session, requested)
    for part in chunks(requested, CUSTOMER_CHUNK):
        subjects = subject_lookup.load_subjects(session, part)
        stale = [cid for cid in part if cid not in subjects]
        # Merged-away ids (aliases) lose their rows: their decisions now live under the survivor.
        _delete(
            session, sorted({*stale, *(alias for subject in subjects.values() for alias in subject.aliases)})
        )
        stats.removed_ids += len(stale)
        rows = []
        for facts in load_facts(session, subjects).values():
            rows.extend(decision_rows(facts, policy, now))
        for batch in chunks(rows, 20000):
            session.execute(sa.insert(DEC), list(batch))
        stats.customers += len(subjects)
        stats.decisions += len(rows)
    return stats


LOCK_EACH_UP_TO = 200  # customers locked one by one; more take the whole table's lock
TABLE_LOCK = 0x436F6E636F7264  # advisory key of the whole decisions table ("Concord")


def _serialise(session: Session, customer_ids: list[str]) -> None:
    """On PostgreSQL, wait for other transactions recomputing the same customers (until they commit).

    Without it two batches about one customer both delete its rows and insert new ones (a duplicate key),
    and the one that evaluated first may miss the other's facts. Taken before the facts are read, the
    lock makes the later transaction see every fact the earlier one committed. Locks are taken in one
    order (table lock, then ids sorted by key), so waiting transactions never deadlock. SQLite already
    lets one writer in at a time.
    """
    if not customer_ids or session.get_bind().dialect.name != "postgresql":
        return
    if len(customer_ids) > LOCK_EACH_UP_TO:
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": TABLE_LOCK})
        return
    session.execute(sa.text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": TABLE_LOCK})
    keys = session.execute(
        sa.text("SELECT DISTINCT hashtextextended(c, 0) AS k FROM unnest(CAST(:ids AS text[])) AS c"),
        {"ids": list(customer_ids)},
    ).scalars()
    for key in sorted(keys):
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def _delete(session: Session, ids: list[str]) -> None:
    statement = sa.delete(DEC).where(DEC.c.customer_id.in_(sa.bindparam("ids", expanding=True)))
    for part in chunks(ids):
        session.execute(statement, {"ids": list(part)})


def known_customers(session: Session) -> list[str]:
    """Every customer the facts or the decisions table name (resolved through identity), sorted."""
    found: set[str] = set()
    kept = [r[0] for r in session.execute(sa.select(DEC.c.customer_id).distinct())]
    found |= subject_lookup.customers_for(session, (("customer", cid) for cid in kept))
    pairs: set[tuple[str, str]] = set()
    for table in FACT_TABLES.values():
        if "subject" in table.c:
            for kind, value in session.execute(sa.select(table.c.subject_kind, table.c.subject).distinct()):
                if value is not None:
                    pairs.add((kind, value))
        if "contact_kind" in table.c:
            query = sa.select(table.c.contact_kind, table.c.contact_point).distinct()
            pairs.update((k, v) for k, v in session.execute(query) if v is not None)
        if "phone" in table.c:
            pairs.update(("phone", v) for (v,) in session.execute(sa.select(table.c.phone).distinct()) if v)
    found |= subject_lookup.customers_for(session, pairs)
    return sorted(found)


def rebuild_all(
    session: Session,
    *,
    policy: Policy,
    now: datetime,
    progress: Callable[[int], None] | None = None,
    include: Iterable[str] = (),
) -> UnifyStats:
    """Throw the table away and evaluate every known customer (and `include`) again (caller commits)."""
    customers = sorted(set(known_customers(session)) | set(include))
    session.execute(sa.delete(DEC))
    stats = UnifyStats()
    for part in chunks(customers, CUSTOMER_CHUNK):
        done = recompute(session, part, policy=policy, now=now)
        stats.customers += done.customers
        stats.decisions += done.decisions
        if progress is not None:
            progress(len(part))
    return stats


def without_rows(session: Session, customer_ids: Iterable[str]) -> list[str]:
    """The given customers that have no unified decisions yet."""
    ids = sorted(set(customer_ids))
    have: set[str] = set()
    query = (
        sa.select(DEC.c.customer_id)
        .where(DEC.c.customer_id.in_(sa.bindparam("ids", expanding=True)))
        .distinct()
    )
    for part in chunks(ids):
        have.update(r[0] for r in session.execute(query, {"ids": list(part)}))
    return [cid for cid in ids if cid not in have]


def due_customers(session: Session, *, now: datetime, limit: int = 50_000) -> list[str]:
    """Customers with a decision whose `valid_until` has passed."""
    query = sa.select(DEC.c.customer_id).where(DEC.c.valid_until <= now).distinct().limit(limit)
    return [r[0] for r in session.execute(query)]


def counts(session: Session) -> dict[str, int]:
    """Rows and customers in the unified table."""
    rows, customers = session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(DEC.c.customer_id))).select_from(DEC)
    ).one()
    return {"decisions": rows, "customers": customers}
