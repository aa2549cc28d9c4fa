"""A process killed in the middle of a segment export leaves it interrupted, with nothing published."""

from __future__ import annotations

import signal
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from consent import export_reads, export_recovery, exports
from consent.models_exports import ExportMemberRow, ExportRow
from core import clock
from core.audit import SYSTEM
from core.errors import Conflict
from tests.reliability.test_feed_processes import Progress
from tests.waiting import wait_until

ROWS = 70_000  # several chunks of export_job.CHUNK_SIZE, so the kill lands between two of them


def _segment(path, rows: int) -> None:
    path.write_text("email\n" + "".join(f"nobody{n}@example.com\n" for n in range(rows)), encoding="utf-8")


def test_an_export_killed_mid_run_is_interrupted_and_publishes_nothing(db, concord, tmp_path):
    segment = tmp_path / "segment.csv"
    _segment(segment, ROWS)
    proc = concord.start("export", "--channel", "email", "--purpose", "marketing", str(segment))
    progress = Progress(proc.stderr)
    wait_until(lambda: progress.events_done() > 0 or proc.poll() is not None, timeout=300, what="first chunk")
    if proc.poll() is not None:
        pytest.fail(f"the export finished before it could be killed: {progress.text[-500:]}")
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)

    with db.session() as session:
        row = session.execute(sa.select(ExportRow)).scalar_one()
        assert row.state == "running" and 0 < row.rows_done < ROWS
        # Once its heartbeat is older than the staleness window, readers see it cut off.
        later = clock.now() + exports.STALE_AFTER + timedelta(seconds=1)
        assert exports.info(row, now=later).state == exports.INTERRUPTED
        with pytest.raises(Conflict):
            export_reads.open_download(session, export_id=row.id)
        members = session.execute(sa.select(sa.func.count()).select_from(ExportMemberRow.__table__)).scalar()
    folder = Path(row.directory)
    assert not (folder / exports.COMPLIANT).exists() and not (folder / exports.EXCLUSIONS).exists()
    assert members <= row.rows_done  # only whole chunks were recorded

    # The scheduled job fails it cleanly: partial files and members gone, the record says what to do.
    with db.session(write=True) as session:
        assert export_recovery.fail_interrupted(session, actor=SYSTEM, now=clock.now()) == []  # still fresh
        assert export_recovery.fail_interrupted(session, actor=SYSTEM, now=later) == [row.id]
    with db.session() as session:
        failed = exports.get_export(session, export_id=row.id)
        members = session.execute(sa.select(sa.func.count()).select_from(ExportMemberRow.__table__)).scalar()
    assert failed.state == "failed" and "submit the segment again" in failed.message and members == 0
    assert not list(folder.glob("*.part"))
