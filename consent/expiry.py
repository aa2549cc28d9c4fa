"""Time-driven checks: decisions left behind by expired suppression entries, and do-not-call registry age."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from consent import lineage_refs, lists, unify
from consent.models import SuppressionRow
from consent.policies import active_policy
from consent.subjects import customers_for
from core import audit
from core.audit import Actor
from core.openlineage import NULL_EMITTER, Emitter

SUP = SuppressionRow.__table__
# Entries expired this far back are looked at again; older ones were handled by earlier runs (or by
# consent.refresh_decisions, which re-evaluates any decision past its valid_until).
LOOKBACK = timedelta(days=7)


@dataclass
class ExpiryStats:
    """Suppression entries that expired in the look-back window, and what re-evaluating them did."""

    expired_entries: int = 0
    customers: int = 0
    decisions: int = 0


def reevaluate_expired_suppressions(
    session: Session, *, actor: Actor, now: datetime, emitter: Emitter | None = None
) -> ExpiryStats:
    """Re-evaluate customers whose decisions were made while a now-expired suppression entry still bound them."""
    rows = session.execute(
        sa.select(
            SUP.c.subject_kind, SUP.c.subject, SUP.c.contact_kind, SUP.c.contact_point, SUP.c.expires_at
        ).where(SUP.c.expires_at <= now, SUP.c.expires_at > now - LOOKBACK)
    ).all()
    stats = ExpiryStats(expired_entries=len(rows))
    if not rows:
        return stats
    due: set[str] = set()
    for kind, subject, contact_kind, point, expired_at in rows:
        pairs = [(k, v) for k, v in ((kind, subject), (contact_kind, point)) if k and v]
        customers = customers_for(session, pairs)
        due |= _decided_before(session, customers, expired_at)
    if not due:
        return stats
    with (emitter or NULL_EMITTER).run(
        lineage_refs.UNIFY_JOB, inputs=[lineage_refs.RECORDS], outputs=[lineage_refs.DECISIONS]
    ) as run:
        done = unify.recompute(session, sorted(due), policy=active_policy(session), now=now)
        run.count(lineage_refs.DECISIONS, done.decisions)
        stats.customers, stats.decisions = done.customers, done.decisions
        details = {"customers": done.customers, "decisions": done.decisions, "expired_entries": len(rows)}
        audit.record(session, actor, "consent.suppression_expiry", "consent_decision", "*", details)
        session.commit()
    return stats


def _decided_before(session: Session, customers: set[str], instant: datetime) -> set[str]:
    """The customers with a stored decision evaluated before `instant` (made while the entry bound)."""
    if not customers:
        return set()
    dec = unify.DEC
    query = (
        sa.select(dec.c.customer_id)
        .where(dec.c.customer_id.in_(sa.bindparam("ids", expanding=True)), dec.c.evaluated_at < instant)
        .distinct()
    )
    return {r[0] for r in session.execute(query, {"ids": sorted(customers)})}


@dataclass
class RegistryAge:
    """One registry's newest snapshot against the warning age and the policy's maximum age."""

    registry: str
    state: str  # ok | warning | stale | missing
    age_days: float | None
    stale_at: datetime | None
    message: str


@dataclass
class RegistryCheck:
    """Every registry the active policy scrubs against."""

    registries: list[RegistryAge] = field(default_factory=list)

    def count(self, state: str) -> int:
        """Registries in this state."""
        return sum(1 for r in self.registries if r.state == state)


def check_registry_age(session: Session, *, now: datetime, warn_after: timedelta) -> RegistryCheck:
    """Classify each registry: stale past the policy's maximum age, warning past `warn_after`, missing."""
    check = RegistryCheck()
    for status in lists.registries(session, now=now):
        newest = status.newest
        if newest is None or status.stale_at is None:
            message = f"{status.registry}: no snapshot; every {'/'.join(status.channels)} check it covers denies with registry_stale"
            check.registries.append(RegistryAge(status.registry, "missing", None, None, message))
            continue
        age = now - newest.downloaded_at
        days = round(age.total_seconds() / 86400, 1)
        if status.stale_at <= now:
            state = "stale"
            message = f"{status.registry}: newest snapshot is {days} days old (over {status.max_age}); checks deny with registry_stale until a new one is ingested"
        elif age >= warn_after:
            state = "warning"
            message = f"{status.registry}: newest snapshot is {days} days old; it turns stale at {status.stale_at.isoformat()}: download a new one"
        else:
            state, message = "ok", f"{status.registry}: {days} days old"
        check.registries.append(RegistryAge(status.registry, state, days, status.stale_at, message))
    return check
