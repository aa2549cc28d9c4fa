"""Step 8: fold the records of one slot (purpose ancestor x scope) into its state, by the policy's strategy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from consent.decision import Trace
from consent.facts import ConsentFact
from consent.policy_model import Policy
from consent.vocabulary import TIE_RANK_PERMISSIVE, TIE_RANK_RESTRICTIVE


@dataclass(frozen=True)
class SlotState:
    """The standing state of a slot: none, opt_in, pending, opt_out, objection or expired."""

    slot: str
    state: str = "none"
    record: ConsentFact | None = None


def order(records: Sequence[ConsentFact], policy: Policy) -> list[ConsentFact]:
    """Event-time order; equal instants broken by the policy's tie-break, then by source and id.

    Arrival (`received_at`) never takes part, so the order records arrive in cannot change a decision.
    """
    ranks = TIE_RANK_RESTRICTIVE if policy.evaluation.tie_break == "restrictive" else TIE_RANK_PERMISSIVE
    return sorted(records, key=lambda r: (r.captured_at, ranks.get(r.status, 0), r.source, r.id))


def _expired(record: ConsentFact, at: datetime) -> bool:
    return record.expires_at is not None and record.expires_at <= at


def _class(record: ConsentFact, policy: Policy) -> str:
    if record.status in policy.opt_out_statuses:
        return "restrictive"
    if record.status in policy.opt_in.pending_statuses:
        return "pending"
    if record.status == "opt_in":
        return "opt_in"
    return "other"


def fold(slot: str, records: Sequence[ConsentFact], policy: Policy, at: datetime, trace: Trace) -> SlotState:
    """The slot's state at `at` from its (visible) records."""
    if not records:
        return SlotState(slot)
    return _STRATEGIES[policy.evaluation.strategy](slot, order(records, policy), policy, at, trace)


def _ordered_log(slot, records, policy, at, trace) -> SlotState:
    state = SlotState(slot)
    skew = policy.evaluation.clock_skew
    restrictive: list[ConsentFact] = []
    for r in records:
        kind = _class(r, policy)
        if kind == "restrictive":
            restrictive.append(r)
            state = SlotState(slot, r.status, r)
            trace.note(r, f"sets {r.status}", slot=slot)
        elif kind == "pending":
            if state.state in ("none", "expired"):
                state = SlotState(slot, "pending", r)
                trace.note(r, "sets pending (never counts as consent)", slot=slot)
            else:
                trace.note(r, f"ignored: pending does not replace {state.state}", slot=slot)
        elif kind == "opt_in":
            if state.state in policy.opt_out_statuses:
                prior = state.record
                if r.method not in policy.opt_in.reconsent_methods:
                    trace.note(
                        r,
                        f"ignored: method {r.method!r} cannot re-consent after {prior.status} {prior.id}",
                        slot=slot,
                    )
                    continue
                if _expired(r, at):
                    trace.note(r, "ignored: re-consent already expired", slot=slot)
                    continue
                clash = _skew_clash(r, restrictive, skew)
                if clash is not None:
                    trace.note(
                        r,
                        f"ignored: within {skew} clock-skew window after {clash.status} {clash.id} from {clash.source}",
                        slot=slot,
                    )
                    continue
            state = _opt_in(
                slot, r, at, trace, "re-consents" if state.state in policy.opt_out_statuses else "sets"
            )
        else:
            trace.note(r, f"ignored: status {r.status!r} has no effect under this policy", slot=slot)
    return state


def _skew_clash(r: ConsentFact, restrictive: list[ConsentFact], skew) -> ConsentFact | None:
    """An opt-out or objection from another source captured within the skew window before `r`."""
    if skew is None:
        return None
    for prior in reversed(restrictive):
        if r.captured_at - prior.captured_at > skew.exact:
            break
        if prior.source != r.source:
            return prior
    return None


def _opt_in(slot: str, r: ConsentFact, at: datetime, trace: Trace, verb: str) -> SlotState:
    if _expired(r, at):
        trace.note(r, f"{verb} opt_in, expired at {r.expires_at.isoformat()}", slot=slot)
        return SlotState(slot, "expired", r)
    trace.until(r.expires_at)
    trace.note(r, f"{verb} opt_in", slot=slot)
    return SlotState(slot, "opt_in", r)


def _last_wins(slot, records, policy, at, trace) -> SlotState:
    state = SlotState(slot)
    for r in records:
        kind = _class(r, policy)
        if kind == "restrictive":
            state = SlotState(slot, r.status, r)
            trace.note(r, f"sets {r.status}", slot=slot)
        elif kind == "pending":
            state = SlotState(slot, "pending", r)
            trace.note(r, "sets pending", slot=slot)
        elif kind == "opt_in":
            state = _opt_in(slot, r, at, trace, "sets")
    return state


def _most_restrictive(slot, records, policy, at, trace) -> SlotState:
    restrictive = [r for r in records if _class(r, policy) == "restrictive"]
    if restrictive:
        worst = next((r for r in restrictive if r.status == "objection"), restrictive[-1])
        for r in records:
            trace.note(
                r,
                "decides (most restrictive)" if r is worst else "outranked by a restrictive record",
                slot=slot,
            )
        return SlotState(slot, worst.status, worst)
    return _last_wins(slot, records, policy, at, trace)


def _ranked(rank: Callable[[ConsentFact], int]) -> Callable:
    def strategy(slot, records, policy, at, trace) -> SlotState:
        best = min(rank(r) for r in records)
        chosen = [r for r in records if rank(r) == best]
        for r in records:
            if rank(r) != best:
                trace.note(r, "outranked by a higher-priority record", slot=slot)
        return _last_wins(slot, chosen, policy, at, trace)

    return strategy


def _source_priority(slot, records, policy, at, trace) -> SlotState:
    ranking = {s: i for i, s in enumerate(policy.evaluation.source_rank)}
    return _ranked(lambda r: ranking.get(r.source, len(ranking)))(slot, records, policy, at, trace)


def _status_priority(slot, records, policy, at, trace) -> SlotState:
    ranking = {s: i for i, s in enumerate(policy.evaluation.status_priority)}
    return _ranked(lambda r: ranking.get(r.status, len(ranking)))(slot, records, policy, at, trace)


_STRATEGIES = {
    "ordered_log": _ordered_log,
    "most_recent": _last_wins,
    "most_restrictive": _most_restrictive,
    "source_priority": _source_priority,
    "status_priority": _status_priority,
}
