"""Policy dry-runs kept as records: started (audited), run in the background with progress, then read back.

A dry-run evaluates every customer twice, which takes minutes on a large company, so callers start it,
run `execute_dry_run` outside the request (a thread, a job) and poll `get_dry_run`. The record stays,
so an auditor can see what a version was expected to change before it was activated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from consent.models_dry_run import PolicyDryRunRow
from consent.operations import DryRun, dry_run
from consent.policies import active_policy, policy_of
from core import audit, clock
from core.audit import Actor
from core.db import Database
from core.errors import NotFound
from core.ids import new_id

RUNNING, DONE, FAILED, INTERRUPTED = "running", "done", "failed", "interrupted"
# A running dry-run whose heartbeat is older than this was cut off (its process stopped).
STALE_AFTER = timedelta(minutes=5)

State = tuple[bool, str] | None  # (allowed, reason), or None when the decision does not exist


@dataclass(frozen=True)
class Transition:
    """How many decisions would go from `before` to `after`."""

    before: State
    after: State
    count: int


@dataclass
class DryRunInfo:
    """A dry-run as read back: progress while running, the counts of changes and a sample when done."""

    id: str
    version: str
    active_version: str
    state: str
    requested_by: str
    requested_at: datetime
    finished_at: datetime | None
    customers_total: int
    customers_done: int
    message: str = ""
    customers: int = 0
    decisions: int = 0
    changed: int = 0
    transitions: list[Transition] = field(default_factory=list)
    sample: list[dict] = field(default_factory=list)

    @property
    def percent(self) -> float:
        """Share of customers evaluated so far."""
        return 100.0 * self.customers_done / self.customers_total if self.customers_total else 0.0


def _state(value) -> State:
    return None if value is None else (bool(value[0]), str(value[1]))


def _info(row: PolicyDryRunRow, now: datetime) -> DryRunInfo:
    state = row.state
    if state == RUNNING and now - row.heartbeat_at > STALE_AFTER:
        state = INTERRUPTED
    info = DryRunInfo(
        id=row.id, version=row.version, active_version=row.active_version, state=state,
        requested_by=row.requested_by, requested_at=row.requested_at, finished_at=row.finished_at,
        customers_total=row.customers_total, customers_done=row.customers_done, message=row.message,
    )  # fmt: skip
    result = row.result or {}
    if result:
        info.customers, info.decisions, info.changed = (
            result["customers"],
            result["decisions"],
            result["changed"],
        )
        info.transitions = [
            Transition(_state(t["before"]), _state(t["after"]), t["count"]) for t in result["transitions"]
        ]
        info.sample = [
            {**s, "before": _state(s["before"]), "after": _state(s["after"])} for s in result["sample"]
        ]
    return info


def start_dry_run(session: Session, *, version: str, actor: Actor) -> DryRunInfo:
    """Record a dry-run of a stored version (NotFound naming the versions that exist); run it with `execute_dry_run`."""
    policy_of(session, version=version)
    now = clock.now()
    row = PolicyDryRunRow(
        id=new_id("dry"), version=version, active_version=active_policy(session).version, state=RUNNING,
        requested_by=actor.label, requested_at=now, heartbeat_at=now,
    )  # fmt: skip
    session.add(row)
    audit.record(session, actor, "consent.policy.dry_run", "consent_policy", version, {"dry_run": row.id})
    session.commit()
    return _info(row, now)


def execute_dry_run(db: Database, *, run_id: str, sample_size: int = 20) -> DryRunInfo:
    """Run a started dry-run to the end, writing progress as it goes; a failure is recorded with its message."""
    with db.session() as session:
        row = session.get(PolicyDryRunRow, run_id)
        if row is None:
            raise NotFound(f"no dry-run {run_id!r}", field="run_id")
        version = row.version
    try:
        with db.session() as session:
            result = dry_run(
                session,
                version=version,
                sample_size=sample_size,
                progress=lambda done, total: _write(db, run_id, customers_done=done, customers_total=total),
            )
    except Exception as exc:  # any failure ends the run as failed, with its message
        _write(db, run_id, state=FAILED, finished_at=clock.now(), message=str(exc) or type(exc).__name__)
        raise
    _write(
        db, run_id, state=DONE, finished_at=clock.now(), result=_result(result), active_version=result.active
    )
    return get(db, run_id)


def _result(result: DryRun) -> dict:
    transitions = [{"before": b, "after": a, "count": n} for (b, a), n in result.transitions.most_common()]
    return {
        "customers": result.customers,
        "decisions": result.decisions,
        "changed": result.changed,
        "transitions": transitions,
        "sample": result.sample,
    }


def _write(db: Database, run_id: str, **values) -> None:
    # Progress rows are operational state of the dry-run already audited at its start.
    with db.session(write=True) as session:
        row = session.get(PolicyDryRunRow, run_id)
        for name, value in {**values, "heartbeat_at": clock.now()}.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()


def get(db: Database, run_id: str) -> DryRunInfo:
    """A dry-run read in its own session."""
    with db.session() as session:
        return get_dry_run(session, run_id=run_id)


def get_dry_run(session: Session, *, run_id: str) -> DryRunInfo:
    """One dry-run with its progress or result; NotFound when there is none with that id."""
    row = session.get(PolicyDryRunRow, run_id)
    if row is None:
        raise NotFound(
            f"no dry-run {run_id!r}; the policy page lists the dry-runs of each version", field="run_id"
        )
    return _info(row, clock.now())


def list_dry_runs(session: Session, *, version: str | None = None, limit: int = 20) -> list[DryRunInfo]:
    """The newest dry-runs (of one version, or of all), newest first."""
    query = select(PolicyDryRunRow).order_by(PolicyDryRunRow.requested_at.desc()).limit(limit)
    if version is not None:
        query = query.where(PolicyDryRunRow.version == version)
    now = clock.now()
    return [_info(row, now) for row in session.exec(query).all()]
