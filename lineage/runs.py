"""Runs: state history, current state, start/end times and durations, merged run facets.

Events of one run accumulate and may arrive in any order: a terminal event (COMPLETE, FAIL, ABORT)
decides the state over any non-terminal one; among events of the same class the latest wins.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.clock import parse_instant
from lineage.models_graph import LineageRun
from lineage.storage import apply_merge, merge_facets

STATE_OF = {
    "START": "RUNNING",
    "RUNNING": "RUNNING",
    "COMPLETE": "COMPLETED",
    "FAIL": "FAILED",
    "ABORT": "ABORTED",
}
TERMINAL = frozenset({"COMPLETED", "FAILED", "ABORTED"})


def apply_event(run: LineageRun, event_type: str | None, at: datetime, stamp: str) -> None:
    """Update state, start and end for one event (its transition row is written by the caller)."""
    if event_type == "START" and (run.started_at is None or at < run.started_at):
        run.started_at = at
        run.sort_at = at
    state = STATE_OF.get(event_type or "")
    if state is None or not _wins(run, state, stamp):
        return
    run.state, run.state_stamp = state, stamp
    if state in TERMINAL:
        run.ended_at = at


def _wins(run: LineageRun, state: str, stamp: str) -> bool:
    current_terminal = run.state in TERMINAL
    if (state in TERMINAL) != current_terminal:
        return state in TERMINAL
    return (run.state_stamp or "") <= stamp


def apply_facets(run: LineageRun, facets: dict[str, Any] | None, stamp: str) -> None:
    """Merge run facets (latest wins per facet) and read the nominal time."""
    merge = merge_facets(run.facets, run.facet_stamps, facets, stamp)
    apply_merge(run, merge)
    changed, merged = merge.changed, merge.facets
    if "nominalTime" in changed:
        nominal = merged.get("nominalTime") or {}
        run.nominal_start = _instant(nominal.get("nominalStartTime"))
        run.nominal_end = _instant(nominal.get("nominalEndTime"))


def _instant(text: Any) -> datetime | None:
    try:
        return parse_instant(text) if isinstance(text, str) else None
    except ValueError:
        return None


def duration_ms(run: LineageRun) -> int | None:
    """Milliseconds from start to end, when both are known."""
    if run.started_at is None or run.ended_at is None:
        return None
    return int((run.ended_at - run.started_at).total_seconds() * 1000)
