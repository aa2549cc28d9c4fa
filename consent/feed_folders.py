"""Feed folders: source systems drop CSV / JSON Lines files into `<feeds>/<source>/`; each is ingested once.

A file is one all-or-nothing batch. Its `consent_feed_file` row (keyed by source and content hash) is
written in the same transaction as its records, so a crash at any point leaves the whole file stored
and recorded, or nothing; the next run finishes the job. Afterwards the file moves to `done/`, or to
`failed/` beside `<name>.error.txt` when its content is refused (nothing of it is stored).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from consent import feeds
from consent.ingest import retrying
from consent.models_feeds import FeedFileRow
from core import audit, clock, metrics
from core.audit import Actor
from core.db import Database
from core.errors import ConcordError
from core.openlineage import Emitter

DONE, FAILED = "done", "failed"
SUFFIXES = (".csv", ".jsonl", ".ndjson")
SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
INGESTED, DUPLICATE = "ingested", "duplicate"


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file: ingested, duplicate (same content seen before), failed, or gone (taken by another process)."""

    source: str
    name: str
    outcome: str
    records: int = 0
    error: str = ""


@dataclass
class FolderScan:
    """Every file a scan looked at."""

    files: list[FileOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        """Files with this outcome."""
        return sum(1 for f in self.files if f.outcome == outcome)

    @property
    def records(self) -> int:
        """Records stored from the files ingested by this scan."""
        return sum(f.records for f in self.files)


def pending_files(root: Path) -> list[tuple[str, Path]]:
    """(source, file) for every feed file waiting in `root/<source>/`, oldest first."""
    found = []
    if not root.is_dir():
        return found
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and SOURCE_NAME.match(p.name)):
        for path in folder.iterdir():
            if path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith("."):
                found.append((folder.name, path))
    return sorted(found, key=lambda item: (_mtime(item[1]), item[1].name))


def ingest_new_files(
    db: Database,
    *,
    root: Path,
    actor: Actor,
    emitter: Emitter | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> FolderScan:
    """Ingest every waiting file, one transaction each; `progress(name, events)` is called per event validated."""
    scan = FolderScan()
    for source, path in pending_files(root):
        scan.files.append(
            ingest_file(db, source=source, path=path, actor=actor, emitter=emitter, progress=progress)
        )
    return scan


def ingest_file(
    db: Database,
    *,
    source: str,
    path: Path,
    actor: Actor,
    emitter: Emitter | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> FileOutcome:
    """One feed file: ingested and recorded in one transaction, then moved to done/ (or failed/)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return FileOutcome(source, path.name, "gone")  # another process finished it and moved it
    digest = hashlib.sha256(data).hexdigest()
    step = (lambda n: progress(path.name, n)) if progress else None
    with db.session(write=True) as session:
        try:
            outcome = retrying(
                session, lambda: _ingest(session, source, path, data, digest, actor, emitter, step)
            )
        except ConcordError as exc:
            session.rollback()
            refused = exc
            outcome = retrying(
                session, lambda: _record_failure(session, source, path, data, digest, actor, refused)
            )
    metrics.count_feed_file(source, outcome.outcome)
    _move(path, FAILED if outcome.outcome == FAILED else DONE, outcome.error)
    return outcome


def _ingest(
    session: Session, source, path: Path, data: bytes, digest: str, actor, emitter, step
) -> FileOutcome:
    known = _known(session, source, digest)
    if known is not None and known.status == INGESTED:
        return FileOutcome(source, path.name, DUPLICATE)
    feed = feeds.parse_feed(data, fmt=feeds.detect_format(path.name, None), source=source)
    result = feeds.ingest_feed(
        session, feed=feed, name=path.name, actor=actor, emitter=emitter, progress=step, commit=False
    )
    stored = sum(result.stored.values())
    row = known or FeedFileRow(
        source=source, sha256=digest, name=path.name, processed_at=clock.now(), status=""
    )
    row.name, row.size_bytes, row.status, row.error = path.name[:255], len(data), INGESTED, ""
    row.batch_id, row.counts, row.processed_at = result.batch_id, _counts(result), clock.now()
    session.add(row)
    session.commit()
    return FileOutcome(source, path.name, INGESTED, records=stored)


def _record_failure(
    session: Session, source, path: Path, data: bytes, digest: str, actor, exc
) -> FileOutcome:
    """The file's content was refused: keep why (audited), so the operator can fix and drop it again."""
    message = f"{exc.field}: {exc.message}" if exc.field and exc.field not in exc.message else exc.message
    row = _known(session, source, digest) or FeedFileRow(
        source=source, sha256=digest, name="", status="", processed_at=clock.now()
    )
    row.name, row.size_bytes, row.status, row.error = path.name[:255], len(data), FAILED, message
    row.processed_at = clock.now()
    session.add(row)
    audit.record(
        session,
        actor,
        "consent.feed.failed",
        "consent_feed_file",
        f"{source}/{path.name}",
        {"error": message[:2000]},
    )
    session.commit()
    return FileOutcome(source, path.name, FAILED, error=message)


def _known(session: Session, source: str, digest: str) -> FeedFileRow | None:
    query = sa.select(FeedFileRow).where(FeedFileRow.source == source, FeedFileRow.sha256 == digest)
    return session.execute(query).scalars().first()


def _counts(result) -> dict:
    return {
        "received": result.received,
        "stored": dict(result.stored),
        "duplicates": dict(result.duplicates),
        "decisions_written": result.decisions_written,
    }


def _move(path: Path, folder: str, error: str) -> None:
    """Into `done/` or `failed/` beside it (a name taken there gets a numbered suffix)."""
    target_dir = path.parent / folder
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    n = 1
    while target.exists():
        target = target_dir / f"{path.stem}.{n}{path.suffix}"
        n += 1
    try:
        os.replace(path, target)
    except FileNotFoundError:
        return  # another process moved it first
    if error:
        target.with_name(target.name + ".error.txt").write_text(error + "\n", encoding="utf-8")


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
