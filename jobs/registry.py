"""What a job is: a named plain function, when it runs, and what it reports."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from core.audit import Actor
from core.errors import InvalidInput, NotFound
from core.openlineage import DatasetRef
from core.runtime import Runtime

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class Every:
    """Run at a fixed interval (from when the scheduler starts)."""

    seconds: float = 0
    minutes: float = 0
    hours: float = 0
    days: float = 0

    @property
    def total_seconds(self) -> float:
        """The interval in seconds."""
        return self.seconds + 60 * self.minutes + 3600 * self.hours + 86400 * self.days

    def describe(self) -> str:
        """`every 5m`, `every 1h`..."""
        total = self.total_seconds
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if total >= size and total % size == 0:
                return f"every {int(total // size)}{unit}"
        return f"every {total:g}s"


@dataclass(frozen=True)
class Cron:
    """Run on a five-field crontab schedule in UTC, e.g. `17 3 * * *` (03:17 every day)."""

    expression: str

    def describe(self) -> str:
        """`cron 17 3 * * * (UTC)`."""
        return f"cron {self.expression} (UTC)"


# Who the audit log names for what scheduled jobs change.
JOB_ACTOR = Actor(name="scheduler", role="admin", kind="system")


@dataclass(frozen=True)
class JobResult:
    """What a successful run reports: counts (stored as JSON, emitted as a run facet) and one line."""

    counts: dict[str, int] = field(default_factory=dict)
    summary: str = ""


class JobFailed(Exception):
    """Raised by a task that ran to the end but found a failure (e.g. a broken audit chain)."""

    def __init__(self, message: str, *, counts: dict[str, int] | None = None):
        super().__init__(message)
        self.message = message
        self.counts = dict(counts or {})


class TaskFunction(Protocol):
    """`(runtime, *, now) -> JobResult`: the same function the scheduler and `concord job run` call."""

    def __call__(self, runtime: Runtime, *, now: datetime) -> JobResult: ...


@dataclass(frozen=True)
class JobSpec:
    """One registered job; `lease_seconds` overrides CONCORD_SCHEDULER_LEASE_SECONDS for its run lock."""

    name: str
    func: TaskFunction | Callable[..., JobResult]
    trigger: Every | Cron | Any
    description: str
    lease_seconds: float | None = None
    inputs: Sequence[DatasetRef] = ()
    outputs: Sequence[DatasetRef] = ()

    def describe_trigger(self) -> str:
        """The schedule in words."""
        describe = getattr(self.trigger, "describe", None)
        return describe() if callable(describe) else str(self.trigger)


def find(jobs: Iterable[JobSpec], name: str) -> JobSpec:
    """The job called `name`, or NotFound listing the ones that exist."""
    jobs = list(jobs)
    for spec in jobs:
        if spec.name == name:
            return spec
    known = ", ".join(sorted(s.name for s in jobs)) or "none"
    raise NotFound(f"no job {name!r}; known jobs: {known} (see `concord job list`)", field="name")


def validate(jobs: Iterable[JobSpec]) -> None:
    """Every name is dotted lower case and unique; raise InvalidInput naming the first bad one."""
    seen: set[str] = set()
    for spec in jobs:
        if not NAME_PATTERN.match(spec.name):
            raise InvalidInput(
                f"job name {spec.name!r} must look like `area.what` (lower case)", field="name"
            )
        if spec.name in seen:
            raise InvalidInput(f"job {spec.name!r} is registered twice", field="name")
        seen.add(spec.name)
