"""Reading finished exports: streamed downloads, re-checks of late opt-outs, membership by customer, retention."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson
import sqlalchemy as sa
from sqlmodel import Session, select

from consent import eligibility, segments
from consent import subjects as subject_lookup
from consent.exports import COMPLIANT, DONE, EXCLUSIONS, ExportInfo, export_row, info
from consent.models_exports import ExportMemberRow, ExportRow
from consent.store import chunks
from core import audit, clock
from core.audit import Actor
from core.errors import Conflict, InvalidInput, NotFound

MEMBERS = ExportMemberRow.__table__
EXPORTS = ExportRow.__table__
DOWNLOAD_FORMATS = ("csv", "jsonl")
BLOCK = 1 << 16


def _file(session: Session, export_id: str, name: str) -> Path:
    row = export_row(session, export_id)
    if row.state != DONE:
        raise Conflict(f"export {export_id} is {row.state}; wait until it is done", field="export_id")
    if row.files_deleted_at is not None:
        raise NotFound(
            f"the files of export {export_id} were deleted on {row.files_deleted_at:%Y-%m-%d} after their "
            "retention period; run the export again",
            field="export_id",
        )
    return Path(row.directory) / name


def open_download(
    session: Session, *, export_id: str, fmt: str = "csv", report: bool = False
) -> Iterator[bytes]:
    """The compliant list (or the exclusion report) as CSV or JSON Lines, block by block."""
    if fmt not in DOWNLOAD_FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(DOWNLOAD_FORMATS)}", field="format")
    path = _file(session, export_id, EXCLUSIONS if report else COMPLIANT)
    return _csv_blocks(path) if fmt == "csv" else _jsonl_blocks(path)


def _csv_blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            yield block


def _jsonl_blocks(path: Path) -> Iterator[bytes]:
    with path.open("r", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        lines: list[bytes] = []
        for record in reader:
            lines.append(orjson.dumps({k: (v or None) for k, v in record.items()}) + b"\n")
            if len(lines) >= 1000:
                yield b"".join(lines)
                lines = []
        if lines:
            yield b"".join(lines)


@dataclass
class Recheck:
    """Which of an export's customers may no longer be contacted at `at`, and why."""

    export_id: str
    at: datetime
    checked: int
    no_longer_eligible: list[dict] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)


def recheck(session: Session, *, export_id: str, at: datetime | None = None) -> Recheck:
    """Each included customer's contact point checked again now (or at `at`): the ones now denied."""
    row = export_row(session, export_id)
    if row.state != DONE:
        raise Conflict(
            f"export {export_id} is {row.state}; only finished exports can be re-checked", field="export_id"
        )
    at_given = at
    at = at or clock.now()
    query = (
        sa.select(MEMBERS.c.customer_id, MEMBERS.c.contact_point)
        .where(MEMBERS.c.export_id == export_id, MEMBERS.c.included.is_(True))
        .order_by(MEMBERS.c.customer_id)
    )
    pairs = [(r.customer_id, r.contact_point) for r in session.execute(query)]
    size = eligibility.MAX_BULK_AT if at_given else eligibility.MAX_BULK
    out = Recheck(export_id=export_id, at=at, checked=len(pairs))
    reasons: Counter = Counter()
    for part in chunks(pairs, size):
        answers = eligibility.check_points(
            session, pairs=part, channel=row.channel, purpose=row.purpose, at=at_given
        )
        for (cid, point), answer in zip(part, answers, strict=True):
            if not answer.allowed:
                reasons[answer.reason] += 1
                out.no_longer_eligible.append(
                    {"customer_id": cid, "contact_point": point, "reason": answer.reason}
                )
    out.reasons = dict(reasons)
    return out


@dataclass(frozen=True)
class Membership:
    """One export that resolved a customer: when, for what, on which contact point, and on what basis."""

    export: ExportInfo
    customer_id: str
    included: bool
    contact_point: str | None
    reason: str
    decided_by_kind: str | None
    decided_by_id: str | None
    decided_by_source: str | None


def exports_for_customer(
    session: Session, *, customer_id: str, included_only: bool = False
) -> list[Membership]:
    """Finished exports that resolved the customer (under any id it had), newest first."""
    found = subject_lookup.load_subjects(session, [customer_id])
    ids = sorted(next(iter(found.values())).aliases) if found else [customer_id]
    query = (
        select(ExportMemberRow, ExportRow)
        .join(ExportRow, ExportRow.id == ExportMemberRow.export_id)
        .where(ExportMemberRow.customer_id.in_(ids), ExportRow.state == DONE)
        .order_by(ExportRow.requested_at.desc(), ExportMemberRow.export_id)
    )
    if included_only:
        query = query.where(ExportMemberRow.included.is_(True))
    rows = session.exec(query).all()
    if not rows and not found:
        raise NotFound(
            f"no customer {customer_id!r}; look the customer up by email, phone or source key",
            field="customer",
        )
    now = clock.now()
    return [
        Membership(info(export, now), m.customer_id, m.included, m.contact_point, m.reason,
                   m.decided_by_kind, m.decided_by_id, m.decided_by_source)
        for m, export in rows
    ]  # fmt: skip


def purge_expired(session: Session, *, actor: Actor, now: datetime | None = None) -> list[str]:
    """Delete the files of exports past their retention (the records stay); audited per export."""
    now = now or clock.now()
    query = sa.select(ExportRow).where(
        ExportRow.retention_expires_at <= now, ExportRow.files_deleted_at.is_(None)
    )
    purged = []
    for row in session.execute(query).scalars():
        folder = Path(row.directory)
        removed = [p.name for p in folder.glob("*") if p.is_file()] if folder.is_dir() else []
        segments.remove_tree(folder)
        row.files_deleted_at = now
        session.add(row)
        audit.record(
            session, actor, "consent.export.purge", "consent_export", row.id, {"files": sorted(removed)}
        )
        purged.append(row.id)
    session.commit()
    return purged
