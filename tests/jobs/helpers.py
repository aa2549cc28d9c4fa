"""Small test jobs shared by the job tests."""

from __future__ import annotations

import threading

from jobs.registry import Every, JobResult, JobSpec


class Gate:
    """A job that waits until the test opens the gate, so it holds its run lock for as long as needed."""

    def __init__(self):
        self.entered = threading.Event()
        self.open = threading.Event()
        self.calls = 0

    def __call__(self, runtime, *, now):
        self.calls += 1
        self.entered.set()
        assert self.open.wait(30), "the test never opened the gate"
        return JobResult({"waited": 1}, "gate opened")


def spec(name: str, func, trigger=None, **kw) -> JobSpec:
    """A test job, hourly unless told otherwise."""
    return JobSpec(name, func, trigger or Every(hours=1), f"test job {name}", **kw)
