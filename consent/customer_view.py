"""A customer as a compliance officer audits them: who they are, every decision (a matrix), and one traced."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from consent.decision import Decision
from consent.decisions import decision_for, facts_for
from consent.policies import active_policy
from consent.policy_model import Policy
from consent.unify import decision_rows
from core import clock
from core.errors import NotFound
from identity import service as identity

MAX_MERGE_PATHS = 25


@dataclass(frozen=True)
class PointDecision:
    """The decision for one contact point of a channel."""

    contact_point: str | None
    allowed: bool
    reason: str
    decided_by: str | None  # `source/id` of the deciding fact
    valid_until: datetime | None


@dataclass
class Cell:
    """One channel x purpose: the decision per contact point; the channel answer is the first allowed one."""

    channel: str
    purpose: str
    points: list[PointDecision]

    @property
    def answer(self) -> PointDecision:
        """What a check without a named contact point answers: the first allowed point, else the first."""
        return next((p for p in self.points if p.allowed), self.points[0])


@dataclass(frozen=True)
class MergeStep:
    """One hop of a merge chain: to record `to`, because both hold `value` of `kind` under `rule`."""

    rule: str
    kind: str
    value: str
    to: str


@dataclass(frozen=True)
class MergeReason:
    """Why a source record belongs to the customer: the chain of match links from the first record."""

    record: str
    anchor: str
    path: list[identity.Link]

    @property
    def steps(self) -> list[MergeStep]:
        """The chain walked from `anchor` to `record` (links are stored in either direction)."""
        steps, here = [], self.anchor
        for link in self.path:
            there = link.b if link.a == here else link.a
            steps.append(MergeStep(link.rule, link.kind, link.value, there))
            here = there
        return steps


@dataclass
class CustomerOverview:
    """The customer 360 for compliance: identity, every channel x purpose decision at `at`, and the facts."""

    customer: identity.Customer
    at: datetime
    policy_version: str
    channels: list[str]
    purposes: list[str]
    cells: dict[tuple[str, str], Cell]
    merges: list[MergeReason]
    fact_counts: dict[str, int] = field(default_factory=dict)

    def points_of(self, channel: str) -> list[str | None]:
        """The contact points the channel's decisions were made for, in order."""
        cell = next((c for (ch, _), c in self.cells.items() if ch == channel), None)
        return [p.contact_point for p in cell.points] if cell else []


def _not_found(customer_id: str) -> NotFound:
    return NotFound(
        f"no customer {customer_id!r}; look the customer up by email, phone or source key", field="customer"
    )


def customer_overview(session: Session, *, customer_id: str, at: datetime | None = None) -> CustomerOverview:
    """The customer with source records, why they were merged, and the decision matrix evaluated at `at`."""
    try:
        customer = identity.get_customer(session, customer_id=customer_id)
    except NotFound:
        raise _not_found(customer_id) from None
    at = at or clock.now()
    policy = active_policy(session)
    facts = facts_for(session, customer.id)
    cells: dict[tuple[str, str], Cell] = {}
    for row in decision_rows(facts, policy, at):
        key = (row["channel"], row["purpose"])
        by = f"{row['decided_by_source']}/{row['decided_by_id']}" if row["decided_by_id"] else None
        point = PointDecision(
            row["contact_point"] or None, row["allowed"], row["reason"], by, row["valid_until"]
        )
        cells.setdefault(key, Cell(key[0], key[1], [])).points.append(point)
    counts = Counter(
        fact.kind
        for group in (
            facts.consents,
            facts.suppressions,
            facts.dnc_requests,
            facts.gpc_signals,
            facts.relationships,
        )
        for fact in group
    )
    return CustomerOverview(
        customer=customer,
        at=at,
        policy_version=policy.version,
        channels=list(policy.channels),
        purposes=_purposes(policy),
        cells=cells,
        merges=_merges(session, customer),
        fact_counts=dict(counts),
    )


def _purposes(policy: Policy) -> list[str]:
    # In the order the channels list them: transactional, then the marketing family, then advertising.
    return list(dict.fromkeys(p for channel in policy.channels.values() for p in channel.purposes))


def _merges(session: Session, customer: identity.Customer) -> list[MergeReason]:
    keys = [f"{r.source_system}:{r.source_key}" for r in customer.source_records]
    if len(keys) < 2:
        return []
    anchor = keys[0]
    out = []
    for key in keys[1 : MAX_MERGE_PATHS + 1]:
        explanation = identity.explain(session, a=anchor, b=key)
        out.append(MergeReason(record=key, anchor=anchor, path=explanation.path))
    return out


@dataclass
class TraceChoices:
    """What the point-in-time form offers: channels, purposes and the customer's contact points."""

    customer_id: str
    channels: list[str]
    purposes: list[str]
    contact_points: dict[str, tuple[str, ...]]


@dataclass
class TraceView:
    """One decision with its full trace, and the form's choices."""

    decision: Decision
    choices: TraceChoices


def trace_choices(session: Session, *, customer: str) -> TraceChoices:
    """The channels, purposes and contact points a trace can be asked for."""
    facts = facts_for(session, customer)
    if facts is None:
        raise _not_found(customer)
    policy = active_policy(session)
    points = {k: tuple(v) for k, v in facts.contact_points.items()}
    return TraceChoices(facts.customer_id, list(policy.channels), list(policy.purposes), points)


def decision_trace(
    session: Session,
    *,
    customer: str,
    channel: str,
    purpose: str,
    contact_point: str | None = None,
    at: datetime | None = None,
    known_at: datetime | None = None,
) -> TraceView:
    """The decision at `at` (as known at `known_at`) with everything that made it; NotFound for an unknown id."""
    choices = trace_choices(session, customer=customer)
    decision = decision_for(
        session,
        customer=choices.customer_id,
        channel=channel,
        purpose=purpose,
        contact_point=contact_point,
        at=at,
        known_at=known_at,
    )
    return TraceView(decision, choices)
