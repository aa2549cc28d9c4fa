"""Ingest OpenLineage events: check, append to the raw log once, derive the graph (or queue it), audit.

One call is one transaction: the raw rows, the derived rows (or queue entries) and the audit entry are
written together or not at all. A batch reports a result per event; a rejected event writes nothing,
the others are kept. The same event sent twice is stored once (identity: sha256 of its canonical JSON).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from core import audit, clock, metrics
from core.audit import Actor
from core.errors import ConcordError, InvalidInput
from lineage import pipeline, raw_store
from lineage.validate import ParsedEvent, parse_event

MAX_BATCH = 5000


@dataclass(frozen=True)
class IngestResult:
    """What happened to one event: `stored`, or `duplicate` (an identical event was stored before)."""

    status: str
    event_id: str
    kind: str
    seq: int | None = None


@dataclass(frozen=True)
class BatchItem:
    """One event of a batch: its index, `stored` | `duplicate` | `rejected`, and the error if rejected."""

    index: int
    status: str
    event_id: str | None = None
    error: dict[str, Any] | None = None


@dataclass
class BatchResult:
    """Per-event results and their counts."""

    items: list[BatchItem] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many events ended with `status`."""
        return sum(1 for item in self.items if item.status == status)

    @property
    def stored(self) -> int:
        return self.count("stored")

    @property
    def duplicates(self) -> int:
        return self.count("duplicate")

    @property
    def rejected(self) -> int:
        return self.count("rejected")

    def _first_error(self, key: str) -> str | None:
        first = next((item.error for item in self.items if item.error), None)
        return first.get(key) if first else None

    @property
    def error(self) -> str | None:
        """The first rejection's error code (None when nothing was rejected)."""
        return self._first_error("error")

    @property
    def message(self) -> str | None:
        """The first rejection's message."""
        return self._first_error("message")

    @property
    def field(self) -> str | None:
        """The first rejection's field, e.g. `events[3].job.name`."""
        return self._first_error("field")


def ingest_event(
    session: Session, *, event: Any, actor: Actor, defer: bool = False, commit: bool = True
) -> IngestResult:
    """Check and store one decoded event (400/422 naming the field; nothing stored when rejected).

    `event` may be already checked (a ParsedEvent): the API checks before it opens its write
    transaction, so SQLite's write lock is never held while JSON is validated. With `defer` the event
    is queued for the deriver (the API's way); otherwise it is derived in this transaction.
    """
    parsed = event if isinstance(event, ParsedEvent) else parse_event(event)
    seq = raw_store.append(session, parsed)
    if seq is None:
        session.rollback()
        return IngestResult("duplicate", parsed.event_hash, parsed.kind)
    if defer:
        pipeline.enqueue(session, [seq])
    else:
        pipeline.apply(session, [parsed])
    metrics.on_commit(session, lambda: _count_stored([parsed]))
    audit.record(
        session,
        actor,
        "lineage.ingest",
        "lineage_event",
        parsed.event_hash,
        {"seq": seq, "kind": parsed.kind, "eventType": parsed.event_type, **_subject(parsed)},
    )
    if commit:
        session.commit()
    return IngestResult("stored", parsed.event_hash, parsed.kind, seq)


@dataclass(frozen=True)
class CheckedBatch:
    """A batch after validation: each event either checked or the error that rejects it."""

    items: list[ParsedEvent | ConcordError]


def check_batch(events: Any) -> CheckedBatch:
    """Validate every event of a batch (`events[i].field` in each error)."""
    if not isinstance(events, list):
        raise InvalidInput('send {"events": [event, ...]}: `events` must be a list', field="events")
    if len(events) > MAX_BATCH:
        raise InvalidInput(f"a batch holds at most {MAX_BATCH} events; split it", field="events")
    items: list[ParsedEvent | ConcordError] = []
    for index, obj in enumerate(events):
        try:
            items.append(parse_event(obj, prefix=f"events[{index}]."))
        except ConcordError as exc:
            items.append(exc)
    return CheckedBatch(items)


def ingest_batch(
    session: Session, *, events: Any, actor: Actor, defer: bool = False, commit: bool = True
) -> BatchResult:
    """Store each valid event of a batch; invalid ones are reported by index and field, and skipped."""
    checked = events if isinstance(events, CheckedBatch) else check_batch(events)
    result = BatchResult()
    stored: list[tuple[int, ParsedEvent]] = []
    valid = [p for p in checked.items if not isinstance(p, ConcordError)]
    seqs = iter(raw_store.append_many(session, valid))
    for index, parsed in enumerate(checked.items):
        if isinstance(parsed, ConcordError):
            result.items.append(BatchItem(index, "rejected", error=parsed.to_dict()))
            continue
        seq = next(seqs)
        result.items.append(BatchItem(index, "duplicate" if seq is None else "stored", parsed.event_hash))
        if seq is not None:
            stored.append((seq, parsed))
    if stored:
        metrics.on_commit(session, lambda: _count_stored([parsed for _, parsed in stored]))
        if defer:
            pipeline.enqueue(session, [seq for seq, _ in stored])
        else:
            pipeline.apply(session, [parsed for _, parsed in stored])
        audit.record(
            session,
            actor,
            "lineage.ingest_batch",
            "lineage_event",
            f"{stored[0][0]}..{stored[-1][0]}",
            {"stored": result.stored, "duplicates": result.duplicates, "rejected": result.rejected},
        )
    if commit:
        session.commit()
    return result


def _count_stored(events: list[ParsedEvent]) -> None:
    """OpenLineage events stored, and how long after their eventTime they arrived (after the commit)."""
    metrics.count_records_ingested("openlineage", len(events), source="openlineage")
    now = clock.now()
    for parsed in events:
        metrics.observe_ingestion_lag("openlineage", (now - parsed.event_time).total_seconds())


def _subject(parsed: ParsedEvent) -> dict[str, Any]:
    event = parsed.event
    if parsed.kind == "dataset":
        return {"dataset": f"{event['dataset']['namespace']}:{event['dataset']['name']}"}
    out = {"job": f"{event['job']['namespace']}:{event['job']['name']}"}
    if parsed.run_id:
        out["runId"] = parsed.run_id
    return out
