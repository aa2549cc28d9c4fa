"""Live decisions with their full trace (point-in-time capable) and a customer's consent history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from consent import subjects as subject_lookup
from consent.decision import Decision
from consent.evaluator import check_query, decide
from consent.fact_loader import load_facts
from consent.facts import SubjectFacts
from consent.models import DecisionRow
from consent.policies import active_policy
from consent.policy_model import Policy
from core import clock
from core.errors import InvalidInput, NotFound
from identity.normalise import normalise_contact_point


def normalise_point(
    policy: Policy, channel: str, raw: str | None, field_name: str = "contact_point"
) -> str | None:
    """The normalised contact point for a channel (email or phone), InvalidInput naming the field."""
    if raw is None or not str(raw).strip():
        return None
    kind = policy.channels[channel].contact_point_kind
    if kind == "any":
        kind = "email" if "@" in raw else "phone"
    try:
        return normalise_contact_point(kind, raw, policy.evaluation.phone_default_region)
    except InvalidInput as exc:
        raise InvalidInput(f"{field_name}: {exc.message}", field=field_name) from None


def facts_for(session: Session, customer_id: str) -> SubjectFacts | None:
    """The facts of one customer (following merges), or None when identity does not know the id."""
    subjects = subject_lookup.load_subjects(session, [customer_id])
    if not subjects:
        return None
    return next(iter(load_facts(session, subjects).values()))


def decision_for(
    session: Session,
    *,
    customer: str,
    channel: str,
    purpose: str,
    contact_point: str | None = None,
    at: datetime | None = None,
    known_at: datetime | None = None,
) -> Decision:
    """Evaluate one decision from the facts as they were at `at` (and as known at `known_at`)."""
    policy = active_policy(session)
    check_query(policy, channel, purpose)
    point = normalise_point(policy, channel, contact_point)
    facts = facts_for(session, customer)
    return decide(
        facts,
        policy,
        channel=channel,
        purpose=purpose,
        contact_point=point,
        at=at or clock.now(),
        known_at=known_at,
    )


@dataclass
class HistoryEntry:
    """One fact about the customer, with everything stored about it (compliance only)."""

    kind: str
    id: str
    source: str
    captured_at: datetime
    received_at: datetime
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class CustomerHistory:
    """A customer's consent history: who they are to consent, and every fact, oldest first."""

    customer_id: str
    jurisdiction: str | None
    contact_points: dict[str, list[str]]
    entries: list[HistoryEntry]


_DETAIL_FIELDS = {
    "consent": (
        "channel",
        "purpose",
        "status",
        "method",
        "scope",
        "contact_point",
        "expires_at",
        "evidence",
        "own",
    ),
    "suppression": ("list", "contact_point", "expires_at", "own"),
    "dnc_request": ("channel", "phone", "own"),
    "gpc_signal": (),
    "relationship": ("relationship", "soft_opt_in_notice_given"),
    "registry_snapshot": ("registry", "listed"),
}


def history(session: Session, *, customer: str) -> CustomerHistory:
    """Every fact that bears on the customer's decisions, in event-time order."""
    facts = facts_for(session, customer)
    if facts is None:
        raise NotFound(
            f"no customer {customer!r}; check the id (merged ids resolve to their survivor)", field="customer"
        )
    entries = []
    groups = (
        facts.consents,
        facts.suppressions,
        facts.dnc_requests,
        facts.gpc_signals,
        facts.relationships,
        facts.registry_snapshots,
    )
    for group in groups:
        for fact in group:
            details = {name: getattr(fact, name) for name in _DETAIL_FIELDS[fact.kind]}
            if "listed" in details:
                details["listed"] = sorted(details["listed"])
            entries.append(
                HistoryEntry(fact.kind, fact.id, fact.source, fact.captured_at, fact.received_at, details)
            )
    entries.sort(key=lambda e: (e.captured_at, e.kind, e.source, e.id))
    points = {k: list(v) for k, v in facts.contact_points.items()}
    return CustomerHistory(facts.customer_id, facts.jurisdiction, points, entries)


def stored_decisions(session: Session, *, customer: str) -> list[dict[str, Any]]:
    """The unified table's rows for a customer (following merges), by channel, purpose and contact point."""
    ids = subject_lookup.resolve(session, "customer", [customer]).get(customer) or []
    if not ids:
        raise NotFound(
            f"no customer {customer!r}; check the id (merged ids resolve to their survivor)", field="customer"
        )
    table = DecisionRow.__table__
    query = (
        sa.select(table)
        .where(table.c.customer_id == ids[0])
        .order_by(table.c.channel, table.c.purpose, table.c.ordinal)
    )
    return [{**row._mapping, "contact_point": row.contact_point or None} for row in session.execute(query)]
