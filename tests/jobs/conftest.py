"""Fixtures for job tests: a runtime whose lineage events are collected."""

from __future__ import annotations

import pytest

from core.openlineage import Emitter
from core.runtime import Runtime


class Collected(list):
    """OpenLineage events handed to the local sink, in order."""

    def of(self, job: str) -> list[dict]:
        return [e for e in self if e["job"]["name"] == job]


@pytest.fixture
def events() -> Collected:
    return Collected()


@pytest.fixture
def job_runtime(db, events) -> Runtime:
    """Runtime over the test database whose emitter records every event it sends."""
    runtime = Runtime(settings=db.settings, db=db, emitter=Emitter(db.settings, local_sink=events.append))
    yield runtime
    runtime.emitter.flush()
