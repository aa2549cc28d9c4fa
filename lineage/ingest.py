"""Ingest OpenLineage events: check, append to the raw log once, derive the graph, audit, commit.

One event is one transaction: the raw row, every derived row and the audit entry are written together
or not at all. A batch reports a result per event; a rejected event writes nothing, the others are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from core import audit
from core.audit import Actor
from core.errors import ConcordError, InvalidInput
from lineage import derive, raw_store
from lineage.validate import ParsedEvent, parse_event

MAX_BATCH = 5000
# Concord's own jobs report through this principal (see lineage.sink).
INTERNAL = Actor(name="concord-openlineage", role="ingest", kind="system")


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


def ingest_event(session: Session, *, event: Any, actor: Actor, commit: bool = True) -> IngestResult:
    """Check and store one decoded event (400/422 naming the field; nothing stored when rejected).

    `event` may be already checked (a ParsedEvent): the API checks before it opens its write
    transaction, so SQLite's write lock is never held while JSON is validated.
    """
    parsed = event if isinstance(event, ParsedEvent) else parse_event(event)
    result = store(session, parsed)
    if result.status == "stored":
        audit.record(
            session,
            actor,
            "lineage.ingest",
            "lineage_event",
            parsed.event_hash,
            {"seq": result.seq, "kind": parsed.kind, "eventType": parsed.event_type, **_subject(parsed)},
        )
    if commit:
        session.commit()
    return result


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


def ingest_batch(session: Session, *, events: Any, actor: Actor, commit: bool = True) -> BatchResult:
    """Store each valid event of a batch; invalid ones are reported by index and field, and skipped."""
    checked = events if isinstance(events, CheckedBatch) else check_batch(events)
    result = BatchResult()
    seqs: list[int] = []
    for index, parsed in enumerate(checked.items):
        if isinstance(parsed, ConcordError):
            result.items.append(BatchItem(index, "rejected", error=parsed.to_dict()))
            continue
        savepoint = session.begin_nested()
        try:
            outcome = store(session, parsed)
            savepoint.commit()
        except ConcordError as exc:  # e.g. the catalogue refused the dataset: only this event is skipped
            savepoint.rollback()
            result.items.append(BatchItem(index, "rejected", parsed.event_hash, exc.to_dict()))
            continue
        result.items.append(BatchItem(index, outcome.status, parsed.event_hash))
        if outcome.seq is not None:
            seqs.append(outcome.seq)
    if seqs:
        audit.record(
            session,
            actor,
            "lineage.ingest_batch",
            "lineage_event",
            f"{min(seqs)}..{max(seqs)}",
            {"stored": result.stored, "duplicates": result.duplicates, "rejected": result.rejected},
        )
    if commit:
        session.commit()
    return result


def store(session: Session, parsed: ParsedEvent) -> IngestResult:
    """Append the raw event and apply it to the derived model, unless it is a duplicate."""
    seq = raw_store.append(session, parsed)
    if seq is None:
        return IngestResult("duplicate", parsed.event_hash, parsed.kind)
    derive.apply(session, parsed)
    return IngestResult("stored", parsed.event_hash, parsed.kind, seq)


def _subject(parsed: ParsedEvent) -> dict[str, Any]:
    event = parsed.event
    if parsed.kind == "dataset":
        return {"dataset": f"{event['dataset']['namespace']}:{event['dataset']['name']}"}
    out = {"job": f"{event['job']['namespace']}:{event['job']['name']}"}
    if parsed.run_id:
        out["runId"] = parsed.run_id
    return out
