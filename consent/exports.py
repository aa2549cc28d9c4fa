"""Segment exports as records: submitted (checked whole, audited), then run by `export_job.run_export`, read back.

Files live in `<instance>/exports/<export id>/`: the uploaded `segment.<format>`, and once the run
succeeded `compliant.csv` (customer_id, contact_point, reason) and `exclusions.csv` (line, kind, subject,
reason, customer_id). Nothing is recorded for an upload that fails its checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, select

from consent import segments
from consent.evaluator import check_query
from consent.models_exports import ExportRow
from consent.policies import active_policy
from core import audit, clock
from core.audit import Actor
from core.db import Database
from core.errors import InvalidInput, NotFound
from core.ids import new_id
from identity.normalise import normalise_jurisdiction

QUEUED, RUNNING, DONE, FAILED, INTERRUPTED = "queued", "running", "done", "failed", "interrupted"
STALE_AFTER = timedelta(minutes=5)  # a running export silent this long was cut off
COMPLIANT, EXCLUSIONS = "compliant.csv", "exclusions.csv"


@dataclass
class ExportInfo:
    """An export as read back: what was asked, progress, and (when done) counts, checksum and expiry."""

    id: str
    state: str
    requested_by: str
    requested_at: datetime
    finished_at: datetime | None
    channel: str
    purpose: str
    jurisdictions: list[str]
    campaign: str
    input_name: str
    input_format: str
    policy_version: str | None
    as_of: datetime | None
    rows_total: int
    rows_done: int
    output_rows: int
    excluded_rows: int
    checksum: str | None
    retention_expires_at: datetime
    files_deleted_at: datetime | None
    message: str
    excluded: dict[str, int] = field(default_factory=dict)
    included: dict[str, int] = field(default_factory=dict)

    @property
    def percent(self) -> float:
        """Share of input rows processed."""
        return 100.0 * self.rows_done / self.rows_total if self.rows_total else 0.0

    @property
    def downloadable(self) -> bool:
        """Whether the compliant list can be downloaded (done, files not yet deleted)."""
        return self.state == DONE and self.files_deleted_at is None


def info(row: ExportRow, now: datetime | None = None) -> ExportInfo:
    """The record as a domain result; a running export whose heartbeat stopped reads as interrupted."""
    state = row.state
    if state == RUNNING and (now or clock.now()) - row.heartbeat_at > STALE_AFTER:
        state = INTERRUPTED
    reasons = row.reasons or {}
    return ExportInfo(
        id=row.id, state=state, requested_by=row.requested_by, requested_at=row.requested_at,
        finished_at=row.finished_at, channel=row.channel, purpose=row.purpose,
        jurisdictions=list(row.jurisdictions or []), campaign=row.campaign, input_name=row.input_name,
        input_format=row.input_format, policy_version=row.policy_version, as_of=row.as_of,
        rows_total=row.rows_total, rows_done=row.rows_done, output_rows=row.output_rows,
        excluded_rows=row.excluded_rows, checksum=row.checksum, retention_expires_at=row.retention_expires_at,
        files_deleted_at=row.files_deleted_at, message=row.message,
        excluded=dict(reasons.get("excluded", {})), included=dict(reasons.get("included", {})),
    )  # fmt: skip


def exports_root(db: Database) -> Path:
    """The folder holding every export's files."""
    return Path(db.settings.instance_path) / "exports"


def _jurisdictions(values, regions: dict[str, tuple[str, ...]]) -> list[str]:
    """The filter as codes: regions of the policy expanded (EU_EEA), `US_CA` and `US-*` spelled `US-CA`, `US`."""
    by_name = {name.upper().replace("-", "_"): codes for name, codes in regions.items()}
    out: list[str] = []
    for i, raw in enumerate(values or ()):
        value = str(raw).strip().upper()
        name = f"jurisdiction[{i}]" if len(values) > 1 else "jurisdiction"
        codes = by_name.get(value.replace("-", "_"))
        if codes is None:
            try:
                code = normalise_jurisdiction(value.removesuffix("-*").removesuffix("_*"))
            except InvalidInput:
                code = None
            codes = (code,) if code else ()
        if not codes:  # never an empty filter: that would mean everyone
            known = f"; or a region of the policy: {', '.join(sorted(regions))}" if regions else ""
            raise InvalidInput(
                f"{raw!r} is not a jurisdiction; use codes such as DE, GB, US (all states), US-CA{known}",
                field=name,
            )
        out.extend(c for c in codes if c not in out)
    return out


def submit_export(
    db: Database,
    *,
    source: BinaryIO | Path,
    filename: str,
    channel: str,
    purpose: str,
    actor: Actor,
    fmt: str | None = None,
    column: str | None = None,
    kind: str | None = None,
    jurisdictions=(),
    campaign: str = "",
) -> ExportInfo:
    """Spool and check a segment, then record the export as queued (audited); InvalidInput names the problem.

    Nothing is recorded and no file is kept when the segment, channel, purpose or filter is refused.
    """
    with db.session() as session:
        policy = active_policy(session)
    check_query(policy, channel, purpose)
    fmt = segments.format_of(filename, fmt)
    wanted = _jurisdictions(jurisdictions, policy.regions)
    if len(campaign or "") > 200:
        raise InvalidInput("at most 200 characters", field="campaign")
    export_id = new_id("exp")
    folder = exports_root(db) / export_id
    folder.mkdir(parents=True, exist_ok=False)
    try:
        target = folder / f"segment.{fmt}"
        limit = db.settings.max_upload_bytes
        if isinstance(source, Path):
            segments.copy_file(source, target, limit)
        else:
            segments.spool(source, target, limit)
        layout = segments.inspect_segment(target, fmt=fmt, column=column, kind=kind)
        return _record(db, export_id, folder, layout, filename, channel, purpose, wanted, campaign, actor)
    except BaseException:
        segments.remove_tree(folder)
        raise


def _record(db, export_id, folder, layout, filename, channel, purpose, wanted, campaign, actor) -> ExportInfo:
    now = clock.now()
    row = ExportRow(
        id=export_id, state=QUEUED, requested_by=actor.label, requested_at=now, heartbeat_at=now,
        channel=channel, purpose=purpose, jurisdictions=wanted or None, campaign=campaign or "",
        input_name=Path(filename or "").name[:300], input_format=layout.format, subject_column=layout.column,
        subject_kind=layout.kind, rows_total=layout.rows, directory=str(folder),
        retention_expires_at=now + timedelta(days=db.settings.export_retention_days),
    )  # fmt: skip
    with db.session(write=True) as session:
        session.add(row)
        details = {"channel": channel, "purpose": purpose, "rows": layout.rows, "campaign": row.campaign,
                   "jurisdictions": wanted, "input": row.input_name}  # fmt: skip
        audit.record(session, actor, "consent.export.submit", "consent_export", export_id, details)
        session.commit()
        return info(row, now)


def get_export(session: Session, *, export_id: str) -> ExportInfo:
    """One export with its progress or result; NotFound when there is none with that id."""
    return info(export_row(session, export_id))


def export_row(session: Session, export_id: str) -> ExportRow:
    """The stored row; NotFound naming `export_id`."""
    row = session.get(ExportRow, export_id)
    if row is None:
        raise NotFound(f"no export {export_id!r}; list the exports to find its id", field="export_id")
    return row


def list_exports(session: Session, *, limit: int = 50, requested_by: str | None = None) -> list[ExportInfo]:
    """The newest exports first (of one requester, or of everyone)."""
    query = select(ExportRow).order_by(ExportRow.requested_at.desc(), ExportRow.id.desc()).limit(limit)
    if requested_by is not None:
        query = query.where(ExportRow.requested_by == requested_by)
    now = clock.now()
    return [info(row, now) for row in session.exec(query).all()]


def get(db: Database, export_id: str) -> ExportInfo:
    """An export read in its own session."""
    with db.session() as session:
        return get_export(session, export_id=export_id)
