"""Emit OpenLineage events for Concord's own jobs through openlineage-python.

Events go to a local sink (the app wires it to the lineage store, so Concord's own work lands in
its own graph) and, when `CONCORD_OPENLINEAGE_URL` is set, also to an external endpoint.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    error_message_run,
    output_statistics_output_dataset,
    schema_dataset,
)
from openlineage.client.serde import Serde
from openlineage.client.transport import Transport
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport

from core import clock
from core.clock import iso
from core.settings import Settings

log = logging.getLogger(__name__)

PRODUCER = "https://github.com/concord-governance/concord"
LocalSink = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class DatasetRef:
    """A dataset as OpenLineage names it, with optional schema columns `(name, type)`."""

    namespace: str
    name: str
    columns: Sequence[tuple[str, str]] = ()
    facets: dict[str, Any] = field(default_factory=dict)

    def _facets(self) -> dict[str, Any]:
        facets = dict(self.facets)
        if self.columns:
            facets["schema"] = schema_dataset.SchemaDatasetFacet(
                fields=[
                    schema_dataset.SchemaDatasetFacetFields(name=n, type=t, ordinal_position=i + 1)
                    for i, (n, t) in enumerate(self.columns)
                ]
            )
        return facets

    def as_input(self) -> InputDataset:
        """This dataset as a run input."""
        return InputDataset(namespace=self.namespace, name=self.name, facets=self._facets())

    def as_output(self, row_count: int | None = None) -> OutputDataset:
        """This dataset as a run output, with its row count when known."""
        output_facets = {}
        if row_count is not None:
            output_facets["outputStatistics"] = (
                output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(rowCount=row_count)
            )
        return OutputDataset(
            namespace=self.namespace, name=self.name, facets=self._facets(), outputFacets=output_facets
        )


class _LocalTransport(Transport):
    """Hands each event, serialised exactly as an HTTP client would send it, to the local sink."""

    kind = "concord-local"

    def __init__(self, sink: LocalSink):
        self.sink = sink

    def emit(self, event: Any) -> None:
        self.sink(Serde.to_dict(event))


class QueuedSink:
    """Runs a sink on one background thread, so emitting never waits on the caller's own transaction.

    Why: on SQLite a request that holds the write lock and emits an event whose sink writes to the same
    database would wait on itself until the busy timeout. The thread starts on first use (after any fork).
    """

    def __init__(self, sink: LocalSink, maxsize: int = 10_000):
        self._sink = sink
        self._queue: queue.Queue = queue.Queue(maxsize)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        self._ensure_thread()
        try:
            self._queue.put(event, timeout=5)
        except queue.Full:
            log.error("lineage queue full; dropped event for job %s", event.get("job", {}).get("name"))

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="concord-lineage-sink", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            event = self._queue.get()
            try:
                self._sink(event)
            except Exception:  # one bad event must not stop the worker
                log.exception("lineage sink failed for job %s", event.get("job", {}).get("name"))
            finally:
                self._queue.task_done()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued event has been handed to the sink; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._queue.all_tasks_done.wait(remaining)
        return True


class Emitter:
    """Sends Concord's own run events; a failure to emit is logged and never fails the job itself."""

    def __init__(self, settings: Settings | None = None, local_sink: LocalSink | None = None):
        self.namespace = settings.openlineage_namespace if settings else "concord"
        self._clients: list[OpenLineageClient] = []
        self._queued: QueuedSink | None = None
        if local_sink is not None:
            self._queued = QueuedSink(local_sink)
            self._clients.append(OpenLineageClient(transport=_LocalTransport(self._queued)))
        if settings is not None and settings.openlineage_url:
            auth = (
                ApiKeyTokenProvider({"apiKey": settings.openlineage_api_key})
                if settings.openlineage_api_key
                else None
            )
            config = (
                HttpConfig(url=settings.openlineage_url, auth=auth)
                if auth
                else HttpConfig(url=settings.openlineage_url)
            )
            self._clients.append(OpenLineageClient(transport=HttpTransport(config)))

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until queued events reached the local sink (CLI commands and tests call this)."""
        return self._queued.flush(timeout) if self._queued else True

    @property
    def enabled(self) -> bool:
        """Whether any destination is configured."""
        return bool(self._clients)

    def emit(self, event: RunEvent) -> None:
        """Send one event to every destination."""
        for client in self._clients:
            try:
                client.emit(event)
            except Exception:  # lineage of our own jobs must never break the job
                log.exception("could not emit OpenLineage event for %s", event.job.name)

    @contextlib.contextmanager
    def run(
        self,
        job_name: str,
        *,
        inputs: Sequence[DatasetRef] = (),
        outputs: Sequence[DatasetRef] = (),
        run_id: str | None = None,
    ) -> Iterator[RunHandle]:
        """Emit START, run the block, then COMPLETE (with output row counts) or FAIL (with the error)."""
        handle = RunHandle(run_id=run_id or str(uuid.uuid4()), job_name=job_name)
        self.emit(self._event(RunState.START, handle, inputs, outputs))
        try:
            yield handle
        except Exception as exc:
            handle.run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
                message=str(exc)[:2000], programmingLanguage="python"
            )
            self.emit(self._event(RunState.FAIL, handle, inputs, outputs))
            raise
        self.emit(self._event(RunState.COMPLETE, handle, inputs, outputs))

    def _event(self, state, handle: RunHandle, inputs, outputs) -> RunEvent:
        done = state != RunState.START
        return RunEvent(
            eventType=state,
            eventTime=iso(clock.now()),
            producer=PRODUCER,
            run=Run(runId=handle.run_id, facets=dict(handle.run_facets)),
            job=Job(namespace=self.namespace, name=handle.job_name),
            inputs=[d.as_input() for d in inputs],
            outputs=[
                d.as_output(handle.row_counts.get((d.namespace, d.name)) if done else None) for d in outputs
            ],
        )


@dataclass
class RunHandle:
    """A running job: set output row counts or extra run facets before it completes."""

    run_id: str
    job_name: str
    row_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    run_facets: dict[str, Any] = field(default_factory=dict)

    def count(self, dataset: DatasetRef, rows: int) -> None:
        """Record how many rows the run wrote to `dataset`."""
        self.row_counts[(dataset.namespace, dataset.name)] = rows


NULL_EMITTER = Emitter()
