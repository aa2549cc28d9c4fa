"""Running a submitted export: the segment read in chunks, checked, written aside, and published only whole.

Each chunk is classified in a read session, then its members are inserted and the progress written in
a short write transaction (so a long export never holds SQLite's write lock). Output goes to `.part`
files renamed on success; a failure removes them and the members, and records the message.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from catalog import ColumnSpec, register_dataset
from consent import export_recovery, export_resolve, lineage_refs, segments
from consent.export_resolve import COLLAPSED, DUPLICATE, SAME_CUSTOMER, Outcome
from consent.exports import COMPLIANT, DONE, EXCLUSIONS, QUEUED, RUNNING, ExportInfo, export_row, get
from consent.models_exports import ExportMemberRow, ExportRow
from consent.policies import active_policy
from core import audit, clock
from core.audit import Actor
from core.db import Database
from core.errors import Conflict
from core.openlineage import NULL_EMITTER, Emitter
from identity.store import select_in

CHUNK_SIZE = 20_000
MEMBERS = ExportMemberRow.__table__
MEMBER_COLUMNS = ("export_id", "customer_id", "subject", "included", "contact_point", "reason",
                  "decided_by_kind", "decided_by_id", "decided_by_source")  # fmt: skip
Progress = Callable[[int, int], None]


@dataclass
class _Spec:
    """What the run needs from the record, read once."""

    export_id: str
    folder: Path
    layout: segments.SegmentLayout
    channel: str
    purpose: str
    jurisdictions: list[str]
    region: str


@dataclass
class _Tally:
    rows_done: int = 0
    output_rows: int = 0
    excluded: Counter = field(default_factory=Counter)
    included: Counter = field(default_factory=Counter)
    unknown_seen: set[int] = field(default_factory=set)  # hashes of unresolved subjects already reported


class _Files:
    """The two output files, written as `.part`; the compliant one is hashed once it is complete."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._out = (folder / f"{COMPLIANT}.part").open("w", newline="", encoding="utf-8")
        self._exc = (folder / f"{EXCLUSIONS}.part").open("w", newline="", encoding="utf-8")
        self.compliant = csv.writer(self._out)
        self.excluded = csv.writer(self._exc)
        self.compliant.writerow(["customer_id", "contact_point", "reason"])
        self.excluded.writerow(["row", "kind", "subject", "reason", "customer_id"])

    def checksum(self) -> str:
        """sha256 of the closed compliant file, read back in blocks (cheaper than hashing line by line)."""
        sha = hashlib.sha256()
        with (self.folder / f"{COMPLIANT}.part").open("rb") as handle:
            while block := handle.read(1 << 20):
                sha.update(block)
        return sha.hexdigest()

    def close(self) -> None:
        self._out.close()
        self._exc.close()

    def publish(self) -> None:
        """Rename both files into place (each rename is atomic)."""
        for name in (EXCLUSIONS, COMPLIANT):
            os.replace(self.folder / f"{name}.part", self.folder / name)

    def discard(self) -> None:
        self.close()
        for name in (COMPLIANT, EXCLUSIONS):  # a failed run publishes nothing, even after a rename
            (self.folder / f"{name}.part").unlink(missing_ok=True)
            (self.folder / name).unlink(missing_ok=True)


def run_export(
    db: Database,
    *,
    export_id: str,
    actor: Actor,
    emitter: Emitter | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
) -> ExportInfo:
    """Run a queued export to the end; a failure leaves it `failed` with its message and publishes nothing."""
    spec, policy_version = _start(db, export_id)
    emitter = emitter or NULL_EMITTER
    output = lineage_refs.export_dataset(export_id)
    files = _Files(spec.folder)
    try:
        with emitter.run(
            lineage_refs.EXPORT_JOB,
            inputs=[lineage_refs.segment_dataset(export_id), lineage_refs.DECISIONS],
            outputs=[output],
        ) as run:
            tally = _process(db, spec, files, chunk_size, progress)
            files.close()
            run.count(output, tally.output_rows)
            _finish(db, spec, tally, files, policy_version, actor)
    except Exception as exc:
        files.discard()
        _fail(db, export_id, exc)
        raise
    return get(db, export_id)


def _start(db: Database, export_id: str) -> tuple[_Spec, str]:
    with db.session(write=True) as session:
        row = export_row(session, export_id)
        if row.state != QUEUED:
            raise Conflict(f"export {export_id} is {row.state}; submit the segment again", field="export_id")
        policy = active_policy(session)
        layout = segments.SegmentLayout(
            row.input_format, row.subject_column, row.subject_kind, row.rows_total
        )
        spec = _Spec(
            export_id, Path(row.directory), layout, row.channel, row.purpose, list(row.jurisdictions or []),
            policy.evaluation.phone_default_region,
        )  # fmt: skip
        now = clock.now()
        row.state, row.as_of, row.policy_version, row.heartbeat_at = RUNNING, now, policy.version, now
        session.add(row)
        session.commit()
        return spec, policy.version


def _process(db: Database, spec: _Spec, files: _Files, chunk_size: int, progress: Progress | None) -> _Tally:
    tally = _Tally()
    segment = spec.folder / f"segment.{spec.layout.format}"
    for chunk in segments.read_subjects(segment, spec.layout, chunk_size):
        with db.session() as session:
            outcomes = export_resolve.classify(
                session, chunk, channel=spec.channel, purpose=spec.purpose, region=spec.region,
                jurisdictions=spec.jurisdictions,
            )  # fmt: skip
            earlier = _earlier_members(session, spec.export_id, outcomes)
        members = _record_chunk(spec.export_id, outcomes, earlier, tally, files)
        with db.session(write=True) as session:
            if members:
                _insert_members(session, members)
            session.execute(
                sa.update(ExportRow.__table__)
                .where(ExportRow.__table__.c.id == spec.export_id)
                .values(rows_done=tally.rows_done, heartbeat_at=clock.now())
            )
            session.commit()
        if progress is not None:
            progress(tally.rows_done, spec.layout.rows)
    return tally


def _insert_members(session, members: list[tuple]) -> None:
    """Straight to the driver's executemany: SQLAlchemy building parameters per row was a tenth of a run."""
    conn = session.connection()
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {MEMBERS.name} ({', '.join(MEMBER_COLUMNS)}) VALUES ({', '.join([marker] * 9)})"
    conn.exec_driver_sql(sql, members)


def _earlier_members(session, export_id: str, outcomes: list[Outcome]) -> dict[str, str]:
    """Customers an earlier chunk already resolved, with the subject key that named them."""
    ids = {o.customer_id for o in outcomes if o.customer_id and o.reason not in COLLAPSED}
    query = sa.select(MEMBERS.c.customer_id, MEMBERS.c.subject).where(MEMBERS.c.export_id == export_id)
    return {r.customer_id: r.subject for r in select_in(session, query, "customer_id", ids)}


def _record_chunk(
    export_id, outcomes: list[Outcome], earlier: dict[str, str], tally: _Tally, files
) -> list[tuple]:
    members = []
    for o in outcomes:
        tally.rows_done += 1
        reason = o.reason
        if o.customer_id in earlier and reason not in COLLAPSED:
            reason = DUPLICATE if earlier[o.customer_id] == o.key else SAME_CUSTOMER
        elif o.customer_id is None and reason not in (DUPLICATE,):
            seen = hash(o.key)
            if seen in tally.unknown_seen:
                reason = DUPLICATE
            tally.unknown_seen.add(seen)
        if reason == o.reason and o.customer_id and reason not in COLLAPSED:
            members.append(
                (export_id, o.customer_id, o.key[:330], o.included, o.contact_point, o.reason,
                 o.decided_by_kind, o.decided_by_id, o.decided_by_source)
            )  # fmt: skip
        if o.included and reason == o.reason:
            tally.output_rows += 1
            tally.included[reason] += 1
            files.compliant.writerow([o.customer_id, o.contact_point or "", reason])
        else:
            tally.excluded[reason] += 1
            files.excluded.writerow([tally.rows_done, o.kind, o.value, reason, o.customer_id or ""])
    return members


def _finish(
    db: Database, spec: _Spec, tally: _Tally, files: _Files, policy_version: str, actor: Actor
) -> None:
    checksum = files.checksum()
    files.publish()
    excluded = sum(tally.excluded.values())
    with db.session(write=True) as session:
        row = export_row(session, spec.export_id)
        row.state, row.finished_at, row.heartbeat_at = DONE, clock.now(), clock.now()
        row.rows_done, row.output_rows, row.excluded_rows = tally.rows_done, tally.output_rows, excluded
        row.reasons = {"excluded": dict(tally.excluded), "included": dict(tally.included)}
        row.checksum = checksum
        session.add(row)
        output = lineage_refs.export_dataset(spec.export_id)
        register_dataset(
            session, namespace=output.namespace, name=output.name, kind="file", origin="concord",
            columns=[ColumnSpec(n, t, None, i + 1) for i, (n, t) in enumerate(lineage_refs.EXPORT_COLUMNS)],
            description=f"Compliant list of export {spec.export_id}: {spec.channel} / {spec.purpose}",
            row_count=tally.output_rows, actor=actor, commit=False,
        )  # fmt: skip
        audit.record(
            session, actor, "consent.export", "consent_export", spec.export_id,
            {"channel": spec.channel, "purpose": spec.purpose, "policy_version": policy_version,
             "input_rows": tally.rows_done, "output_rows": tally.output_rows, "excluded": dict(tally.excluded),
             "sha256": checksum},
        )  # fmt: skip
        session.commit()


def _fail(db: Database, export_id: str, exc: BaseException) -> None:
    with db.session(write=True) as session:
        row = session.get(ExportRow, export_id)
        if row is not None:
            row.heartbeat_at = clock.now()
            export_recovery.abandon(session, row, message=str(exc) or type(exc).__name__, now=clock.now())
        session.commit()
