"""Runs: state history, current state, start/end times and durations, merged run facets.

Events of one run accumulate and may arrive in any order: a terminal event (COMPLETE, FAIL, ABORT)
decides the state over any non-terminal one; among events of the same class the latest wins.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from core.clock import parse_instant
from lineage.models_graph import LineageRun, LineageRunState
from lineage.storage import insert_ignore, merge_facets

STATE_OF = {
    "START": "RUNNING",
    "RUNNING": "RUNNING",
    "COMPLETE": "COMPLETED",
    "FAIL": "FAILED",
    "ABORT": "ABORTED",
}
TERMINAL = frozenset({"COMPLETED", "FAILED", "ABORTED"})


def ensure(session: Session, run_id: str, job_id: int, at: datetime, *, static: bool = False) -> LineageRun:
    """The run row, created on its first event."""
    run = session.get(LineageRun, run_id)
    if run is None:
        run = LineageRun(
            id=run_id, job_id=job_id, is_static=static, first_event_at=at, last_event_at=at, sort_at=at
        )
        session.add(run)
        return run
    run.first_event_at = min(run.first_event_at, at)
    run.last_event_at = max(run.last_event_at, at)
    run.sort_at = run.started_at or run.first_event_at
    return run


def apply_event(
    session: Session, run: LineageRun, event_type: str | None, at: datetime, stamp: str, event_hash: str
) -> None:
    """Record the transition and update state, start and end."""
    insert_ignore(
        session,
        LineageRunState,
        [{"event_hash": event_hash, "run_id": run.id, "transition": event_type or "OTHER", "at": at}],
    )
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
    merged, stamps, changed = merge_facets(run.facets, run.facet_stamps, facets, stamp)
    if not changed:
        return
    run.facets, run.facet_stamps = merged, stamps
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
