"""File and feed ingestion: CSV and JSON Lines in the event vocabulary, all-or-nothing per file, errors by line."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from sqlmodel import Session

from consent import lineage_refs
from consent.ingest import IngestResult, ingest_events
from core.audit import Actor
from core.errors import InvalidInput
from core.openlineage import Emitter

FORMATS = ("csv", "jsonl")
LIST_COLUMNS = {"emails", "phones", "listed_numbers"}  # CSV cells holding several values, separated by ';'


@dataclass
class ParsedFeed:
    """Events read from a file and the line each came from."""

    events: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def label(self, i: int) -> str:
        return f"line {self.lines[i]}"


def detect_format(name: str, given: str | None) -> str:
    """The format given, else from the file name (.csv, .jsonl/.ndjson)."""
    if given:
        if given not in FORMATS:
            raise InvalidInput(f"unknown format {given!r}; use csv or jsonl", field="format")
        return given
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise InvalidInput(f"cannot tell the format of {name!r}; pass --format csv or jsonl", field="format")


def parse_jsonl(lines: Iterable[bytes | str], *, source: str | None = None) -> ParsedFeed:
    """One JSON object per line; blank lines are skipped."""
    feed = ParsedFeed()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(f"line {number}: not valid JSON ({exc})", field=f"line {number}") from None
        if not isinstance(event, dict):
            raise InvalidInput(f"line {number}: expected a JSON object", field=f"line {number}")
        if source and not event.get("source"):
            event["source"] = source
        feed.events.append(event)
        feed.lines.append(number)
    return feed


def parse_csv(stream: IO[str], *, source: str | None = None) -> ParsedFeed:
    """A header row of event field names; `evidence.<key>` columns build the evidence object."""
    reader = csv.reader(stream)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InvalidInput(
            "the CSV file is empty; the first line must name the columns", field="line 1"
        ) from None
    except csv.Error as exc:
        raise InvalidInput(f"line 1: not valid CSV ({exc})", field="line 1") from None
    if "type" not in header:
        raise InvalidInput("the CSV header needs a `type` column (consent, suppression, ...)", field="line 1")
    feed = ParsedFeed()
    try:
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InvalidInput(
                    f"line {number}: {len(row)} cells but the header has {len(header)} columns",
                    field=f"line {number}",
                )
            feed.events.append(_csv_event(header, row, source))
            feed.lines.append(number)
    except csv.Error as exc:
        raise InvalidInput(
            f"line {reader.line_num}: not valid CSV ({exc})", field=f"line {reader.line_num}"
        ) from None
    return feed


def _csv_event(header: list[str], row: list[str], source: str | None) -> dict[str, Any]:
    event: dict[str, Any] = {}
    for name, cell in zip(header, row, strict=True):
        cell = cell.strip()
        if not cell:
            continue
        if name.startswith("evidence."):
            event.setdefault("evidence", {})[name[len("evidence.") :]] = cell
        elif name in LIST_COLUMNS:
            event[name] = [part.strip() for part in cell.split(";") if part.strip()]
        else:
            event[name] = cell
    if source and not event.get("source"):
        event["source"] = source
    return event


def parse_feed(data: bytes, *, fmt: str, source: str | None = None) -> ParsedFeed:
    """Parse a whole file held in memory (uploads)."""
    if fmt == "jsonl":
        return parse_jsonl(data.splitlines(), source=source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the CSV file is not UTF-8 text", field="file") from None
    return parse_csv(io.StringIO(text, newline=""), source=source)


def read_feed(path: Path, *, fmt: str, source: str | None = None) -> ParsedFeed:
    """Parse a file on disk."""
    if fmt == "jsonl":
        with path.open("rb") as handle:
            return parse_jsonl(handle, source=source)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return parse_csv(handle, source=source)


def ingest_feed(
    session: Session,
    *,
    feed: ParsedFeed,
    name: str,
    actor: Actor,
    emitter: Emitter | None = None,
    progress: Callable[[int], None] | None = None,
    commit: bool = True,
) -> IngestResult:
    """Ingest a parsed file as one batch (nothing is stored if any line is bad)."""
    if not feed.events:
        raise InvalidInput(f"{name} holds no events", field="file")
    systems = sorted({str(e.get("source")) for e in feed.events if e.get("source")})
    inputs = [lineage_refs.source_dataset(s, f"file:{Path(name).name}") for s in systems]
    return ingest_events(
        session,
        events=feed.events,
        actor=actor,
        emitter=emitter,
        inputs=inputs,
        label=feed.label,
        progress=progress,
        commit=commit,
    )
