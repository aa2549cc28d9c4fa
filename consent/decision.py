"""A decision and its explanation: who decided it, everything considered, and how long it holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DecidedBy:
    """The fact that settled the decision (record id, source, times, method, evidence)."""

    kind: str
    id: str
    source: str
    captured_at: datetime | None
    received_at: datetime | None
    method: str | None = None
    evidence: Mapping | None = None


@dataclass(frozen=True)
class Considered:
    """One fact or rule the evaluator looked at, and what it did."""

    kind: str
    id: str
    source: str | None
    captured_at: datetime | None
    effect: str
    slot: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Decision:
    """Allowed or denied, why, and the full trace."""

    allowed: bool
    reason: str
    customer_id: str | None
    channel: str
    purpose: str
    contact_point: str | None
    policy_version: str
    as_of: datetime
    decided_by: DecidedBy | None = None
    considered: tuple[Considered, ...] = ()
    valid_until: datetime | None = None
    rule: str | None = None
    known_at: datetime | None = None


@dataclass
class Trace:
    """Collects `considered[]` and the earliest future instant that could change the decision."""

    at: datetime
    considered: list[Considered] = field(default_factory=list)
    horizon: datetime | None = None
    explain: bool = True
    _seen: set = field(default_factory=set, repr=False)

    def note(self, fact: Any, effect: str, *, slot: str | None = None) -> None:
        """Record that `fact` was looked at and what it did (once per fact, effect and slot)."""
        if not self.explain:
            return
        key = (fact.kind, fact.id, fact.source, effect, slot)
        if key in self._seen:
            return
        self._seen.add(key)
        self.considered.append(
            Considered(
                kind=fact.kind,
                id=fact.id,
                source=fact.source,
                captured_at=fact.captured_at,
                effect=effect,
                slot=slot,
                status=getattr(fact, "status", None),
            )
        )

    def note_rule(self, rule_id: str, effect: str) -> None:
        """Record a policy rule (or profile attribute) that shaped the decision."""
        if self.explain:
            self.considered.append(Considered("rule", rule_id, None, None, effect))

    def until(self, instant: datetime | None) -> None:
        """The decision may change at `instant` (when it is after the evaluation instant)."""
        if instant is not None and instant > self.at and (self.horizon is None or instant < self.horizon):
            self.horizon = instant


def decided_by(fact: Any) -> DecidedBy:
    """The DecidedBy for a fact."""
    return DecidedBy(
        kind=fact.kind,
        id=fact.id,
        source=fact.source,
        captured_at=fact.captured_at,
        received_at=fact.received_at,
        method=getattr(fact, "method", None),
        evidence=getattr(fact, "evidence", None),
    )
