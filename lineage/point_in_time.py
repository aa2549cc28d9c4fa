"""The graph as it was at an instant, or as one run saw it.

The current graph gives each job the inputs and outputs of its latest run that declared any. The graph
at instant T applies the same rule to the runs that had started by T (static JobEvents count from their
event time), so `as_of=now` gives the current graph. For `runId=R`, the graph is the one at R's last
event, with R's own job pinned to R.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from core.errors import NotFound
from lineage.models_graph import LineageRun, LineageRunIO
from lineage.normalise import canonical_run_id
from lineage.storage import io_rows, latest_per, rows_in


class EdgesAsOf:
    """An edge source (see `graph_walk.EdgeSource`) over runs started by `at`."""

    def __init__(self, session: Session, at: datetime, pinned: dict[int, str] | None = None):
        self.session = session
        self.at = at
        self.pinned = pinned or {}
        self._definers: dict[int, str | None] = dict(self.pinned)

    def definers(self, job_ids: Iterable[int]) -> dict[int, str]:
        """For each job, the run whose inputs and outputs were its edges at `at`."""
        missing = [j for j in set(job_ids) if j not in self._definers]
        run = LineageRun.__table__
        found = latest_per(
            self.session,
            run,
            "job_id",
            missing,
            ("sort_at", "id"),
            run.c.has_io == sa.true(),
            run.c.sort_at <= self.at,
        )
        for job in missing:
            self._definers[job] = found.get(job)
        return {j: self._definers[j] for j in set(job_ids) if self._definers.get(j)}

    def from_datasets(self, dataset_ids: Iterable[int], direction: str) -> list[tuple[int, int]]:
        io, run = LineageRunIO.__table__, LineageRun.__table__
        candidates = set(
            rows_in(
                self.session,
                dataset_ids,
                lambda batch: (
                    sa.select(run.c.job_id, run.c.id, io.c.dataset_id)
                    .join(run, run.c.id == io.c.run_id)
                    .where(io.c.dataset_id.in_(batch), io.c.direction == direction, run.c.sort_at <= self.at)
                ),
            )
        )
        definers = self.definers({job for job, _, _ in candidates})
        return sorted({(job, ds) for job, run_id, ds in candidates if definers.get(job) == run_id})

    def from_jobs(self, job_ids: Iterable[int], direction: str | None = None) -> list[tuple[int, str, int]]:
        definers = self.definers(job_ids)
        job_of = {run_id: job for job, run_id in definers.items()}
        return [(job_of[run_id], d, ds) for run_id, d, ds in self._io(list(job_of), direction)]

    def _io(self, run_ids: list[str], direction: str | None) -> list[tuple[str, str, int]]:
        return io_rows(self.session, LineageRunIO.__table__, "run_id", run_ids, direction)


def for_run(session: Session, run_id: str) -> tuple[EdgesAsOf, LineageRun]:
    """Edges as run `run_id` saw them (404 if the run is unknown)."""
    run = session.get(LineageRun, canonical_run_id(run_id))
    if run is None:
        raise NotFound(f"no run {run_id!r} has been seen in lineage events", field="runId")
    return EdgesAsOf(session, run.last_event_at, pinned={run.job_id: run.id}), run
