"""Consent lineage of one customer: source system -> consent records -> unified decisions -> exports.

Built from consent's own tables (and identity's source records), so a compliance officer gets the whole
chain in one call: which systems sent which records, which record decided each channel x purpose under
which policy version, and which exports used those decisions to contact the customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from consent.decisions import facts_for, stored_decisions
from consent.export_reads import Membership, exports_for_customer
from core.errors import NotFound
from identity import service as identity


@dataclass(frozen=True)
class RecordNode:
    """A consent record as its source system sent it."""

    id: str
    source: str
    channel: str | None
    purpose: str
    status: str
    method: str
    scope: str
    contact_point: str | None
    captured_at: datetime
    received_at: datetime

    @property
    def node_id(self) -> str:
        """`record:<source>/<id>`."""
        return f"record:{self.source}/{self.id}"


@dataclass(frozen=True)
class DecisionNode:
    """A row of the unified table and the fact that decided it."""

    channel: str
    purpose: str
    contact_point: str | None
    allowed: bool
    reason: str
    policy_version: str
    evaluated_at: datetime
    decided_by_kind: str | None
    decided_by_id: str | None
    decided_by_source: str | None

    @property
    def node_id(self) -> str:
        """`decision:<channel>/<purpose>/<contact point>`."""
        return f"decision:{self.channel}/{self.purpose}/{self.contact_point or ''}"


@dataclass
class ConsentLineage:
    """The chain for one customer, with the edges between its nodes (`from`, `to`)."""

    customer_id: str
    source_records: list[str]
    systems: list[str]
    records: list[RecordNode]
    decisions: list[DecisionNode]
    exports: list[Membership]
    edges: list[tuple[str, str]] = field(default_factory=list)


def consent_lineage(session: Session, *, customer_id: str) -> ConsentLineage:
    """Source systems, records, decisions and exports of a customer; NotFound for an unknown id."""
    facts = facts_for(session, customer_id)
    if facts is None:
        raise NotFound(
            f"no customer {customer_id!r}; look the customer up by email, phone or source key",
            field="customer",
        )
    customer = identity.get_customer(session, customer_id=facts.customer_id)
    records = sorted(
        (RecordNode(c.id, c.source, c.channel, c.purpose, c.status, c.method, c.scope, c.contact_point,
                    c.captured_at, c.received_at) for c in facts.consents),
        key=lambda r: (r.captured_at, r.source, r.id),
    )  # fmt: skip
    decisions = [
        DecisionNode(d["channel"], d["purpose"], d["contact_point"], d["allowed"], d["reason"], d["policy_version"],
                     d["evaluated_at"], d["decided_by_kind"], d["decided_by_id"], d["decided_by_source"])
        for d in stored_decisions(session, customer=facts.customer_id)
    ]  # fmt: skip
    exports = exports_for_customer(session, customer_id=facts.customer_id)
    keys = [f"{r.source_system}:{r.source_key}" for r in customer.source_records]
    systems = sorted({r.source_system for r in customer.source_records} | {r.source for r in records})
    lineage = ConsentLineage(facts.customer_id, keys, systems, records, decisions, exports)
    lineage.edges = _edges(records, decisions, exports)
    return lineage


def _edges(records, decisions, exports) -> list[tuple[str, str]]:
    edges = [(f"source:{r.source}", r.node_id) for r in records]
    known = {(r.source, r.id) for r in records}
    by_key = {}
    for d in decisions:
        by_key.setdefault((d.channel, d.purpose, d.contact_point), d)
        if d.decided_by_kind == "consent" and (d.decided_by_source, d.decided_by_id) in known:
            edges.append((f"record:{d.decided_by_source}/{d.decided_by_id}", d.node_id))
    for m in exports:
        d = by_key.get((m.export.channel, m.export.purpose, m.contact_point))
        if d is not None:
            edges.append((d.node_id, f"export:{m.export.id}"))
    return edges
