"""Audited operations on the unified table: rebuild, refresh of lapsed decisions, policy dry-run and activation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from consent import lineage_refs, subjects, unify
from consent.fact_loader import load_facts
from consent.models import (
    ConsentRecordRow,
    DecisionRow,
    DncRequestRow,
    GpcSignalRow,
    PullStateRow,
    RegistryNumberRow,
    RegistrySnapshotRow,
    RelationshipRow,
    SuppressionRow,
)
from consent.policies import active_policy, mark_active, policy_of
from consent.policy_loader import load_policy
from consent.policy_model import Policy
from consent.store import chunks
from core import audit, clock
from core.audit import Actor
from core.openlineage import NULL_EMITTER, Emitter

FACT_ROWS = (
    ConsentRecordRow,
    SuppressionRow,
    DncRequestRow,
    GpcSignalRow,
    RelationshipRow,
    RegistrySnapshotRow,
)


def _unify_run(emitter: Emitter | None):
    return (emitter or NULL_EMITTER).run(
        lineage_refs.UNIFY_JOB, inputs=[lineage_refs.RECORDS], outputs=[lineage_refs.DECISIONS]
    )


def rebuild(
    session: Session,
    *,
    actor: Actor,
    emitter: Emitter | None = None,
    progress: Callable[[int], None] | None = None,
    include: Iterable[str] = (),
) -> unify.UnifyStats:
    """Recompute every decision from the facts under the active policy, in one transaction.

    `include` adds customers the facts do not name yet (a bulk load's people without any consent fact).
    """
    return _rebuild_under(session, active_policy(session), actor, emitter, progress, include)


def _rebuild_under(
    session, policy: Policy, actor: Actor, emitter, progress=None, include=()
) -> unify.UnifyStats:
    """Rebuild the table under `policy`: lineage run, audit entry and commit."""
    with _unify_run(emitter) as run:
        stats = unify.rebuild_all(session, policy=policy, now=clock.now(), progress=progress, include=include)
        run.count(lineage_refs.DECISIONS, stats.decisions)
        details = {
            "customers": stats.customers,
            "decisions": stats.decisions,
            "policy_version": policy.version,
        }
        audit.record(session, actor, "consent.rebuild", "consent_decision", "*", details)
        session.commit()
    return stats


def refresh_due(
    session: Session, *, actor: Actor, emitter: Emitter | None = None, now: datetime | None = None
) -> unify.UnifyStats:
    """Re-evaluate the customers whose decisions reached `valid_until` (the scheduled job runs this)."""
    now = now or clock.now()
    due = unify.due_customers(session, now=now)
    if not due:
        return unify.UnifyStats()
    with _unify_run(emitter) as run:
        stats = unify.recompute(session, due, policy=active_policy(session), now=now)
        run.count(lineage_refs.DECISIONS, stats.decisions)
        audit.record(
            session,
            actor,
            "consent.refresh",
            "consent_decision",
            "*",
            {"customers": stats.customers, "decisions": stats.decisions},
        )
        session.commit()
    return stats


@dataclass
class DryRun:
    """How a candidate policy would change current decisions compared with the active one."""

    candidate: str
    active: str
    customers: int = 0
    decisions: int = 0
    changed: int = 0
    transitions: Counter = field(default_factory=Counter)  # ((allowed, reason), (allowed, reason)) -> count
    sample: list[dict] = field(default_factory=list)


def dry_run(
    session: Session,
    *,
    version: str | None = None,
    text: str | None = None,
    sample_size: int = 20,
    progress: Callable[[int, int], None] | None = None,
) -> DryRun:
    """Evaluate every known customer under the active and the candidate policy at the same instant.

    `progress(done, total)` is called after each chunk of customers.
    """
    candidate = load_policy(text) if text is not None else policy_of(session, version=version)
    current = active_policy(session)
    now = clock.now()
    result = DryRun(candidate=candidate.version, active=current.version)
    customers = unify.known_customers(session)
    done = 0
    for part in chunks(customers, unify.CUSTOMER_CHUNK):
        facts = load_facts(session, subjects.load_subjects(session, part))
        for customer_facts in facts.values():
            result.customers += 1
            _compare(result, customer_facts, current, candidate, now, sample_size)
        done += len(part)
        if progress is not None:
            progress(done, len(customers))
    return result


def _compare(result: DryRun, facts, current: Policy, candidate: Policy, now, sample_size: int) -> None:
    def keyed(policy: Policy) -> dict[tuple, dict]:
        return {
            (r["channel"], r["purpose"], r["contact_point"]): r
            for r in unify.decision_rows(facts, policy, now)
        }

    before, after = keyed(current), keyed(candidate)
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        result.decisions += 1
        was = (old["allowed"], old["reason"]) if old else None
        will = (new["allowed"], new["reason"]) if new else None
        if was == will:
            continue
        result.changed += 1
        result.transitions[(was, will)] += 1
        if len(result.sample) < sample_size:
            channel, purpose, point = key
            result.sample.append(
                {
                    "customer_id": facts.customer_id,
                    "channel": channel,
                    "purpose": purpose,
                    "contact_point": point or None,
                    "before": was,
                    "after": will,
                }
            )


def activate(
    session: Session, *, version: str, actor: Actor, emitter: Emitter | None = None
) -> tuple[str | None, unify.UnifyStats]:
    """Make `version` active and re-evaluate every decision under it, in one transaction."""
    policy, previous = mark_active(session, version=version, actor=actor)
    return previous, _rebuild_under(session, policy, actor, emitter)


def decision_counts(session: Session) -> dict:
    """Allowed/denied counts per reason in the unified table (for reports and the CLI)."""
    table = unify.DEC
    rows = session.execute(
        sa.select(table.c.reason, table.c.allowed, sa.func.count()).group_by(table.c.reason, table.c.allowed)
    )
    return {reason: {"allowed": bool(allowed), "count": count} for reason, allowed, count in rows}


def clear_facts(session: Session, *, actor: Actor, reason: str) -> dict[str, int]:
    """Delete every consent fact, decision and pull cursor (audited); only for replacing a demo company."""
    counts = {}
    for table in (RegistryNumberRow, *FACT_ROWS, DecisionRow, PullStateRow):
        counts[table.__tablename__] = session.execute(sa.delete(table.__table__)).rowcount
    audit.record(session, actor, "consent.facts.clear", "consent", "*", {"reason": reason, **counts})
    session.commit()
    return counts
