"""The state of one evaluation, shared by the evaluator's steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from consent.decision import DecidedBy, Trace
from consent.facts import ConsentFact, RegistrySnapshotFact, SubjectFacts
from consent.policy_model import ChannelSpec, Policy, Rule


@dataclass(frozen=True)
class Outcome:
    """What a step settled: allowed or not, the reason code and the deciding fact."""

    allowed: bool
    reason: str
    by: DecidedBy | None = None


@dataclass
class Ctx:
    """One evaluation: the facts, the policy, the query and the trace being built."""

    facts: SubjectFacts
    policy: Policy
    channel: ChannelSpec
    purpose: str
    contact_point: str
    at: datetime
    known_at: datetime | None
    trace: Trace
    rule: Rule | None = None
    rule_id: str | None = None
    listed_in: RegistrySnapshotFact | None = None
    slots: dict[str, list[ConsentFact]] | None = field(default=None)

    def visible(self, fact, slot: str | None = None) -> bool:
        """Whether the fact existed at `at` (and was known at `known_at`); noted in the trace if not."""
        if fact.captured_at > self.at:
            self.trace.until(fact.captured_at)
            self.trace.note(fact, "ignored: captured after the query instant", slot=slot)
            return False
        if self.known_at is not None and fact.received_at > self.known_at:
            self.trace.note(fact, "ignored: not yet received at known_at", slot=slot)
            return False
        return True
