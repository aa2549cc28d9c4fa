"""Feed ingestion across processes: two at once store every record once; kill -9 mid-batch loses nothing."""

from __future__ import annotations

import re
import signal
import threading

import pytest
import sqlalchemy as sa

from consent.models import ConsentRecordRow
from consent.models_feeds import FeedFileRow
from tests.reliability.conftest import feed_file
from tests.waiting import wait_until


def _count(db, model, *where) -> int:
    with db.session() as session:
        query = sa.select(sa.func.count()).select_from(model.__table__)
        return session.execute(query.where(*where) if where else query).scalar_one()


def _duplicated(db) -> int:
    t = ConsentRecordRow.__table__
    query = (
        sa.select(t.c.source, t.c.source_id).group_by(t.c.source, t.c.source_id).having(sa.func.count() > 1)
    )
    with db.session() as session:
        return len(session.execute(query).all())


def test_two_processes_ingesting_the_same_feeds_store_every_record_once(db, concord):
    expected = 0
    for i, source in enumerate(("crm", "crm", "shop", "shop")):
        expected += feed_file(concord.feeds / source / f"part-{i}.jsonl", source, 1000 * i, 100)
    # Both race over the same files: one by hand, one as the scheduled job would run.
    a = concord.start("consent", "feeds")
    b = concord.start("job", "run", "consent.feeds")
    outputs = [p.communicate(timeout=600) for p in (a, b)]
    assert (a.returncode, b.returncode) == (0, 0), outputs
    assert _count(db, ConsentRecordRow) == expected and _duplicated(db) == 0
    assert _count(db, FeedFileRow, FeedFileRow.status == "ingested") == 4
    done = sorted(p.name for p in concord.feeds.glob("*/done/*"))
    assert done == ["part-0.jsonl", "part-1.jsonl", "part-2.jsonl", "part-3.jsonl"]
    assert not list(concord.feeds.glob("*/*.jsonl"))


class Progress:
    """Collects a process's stderr (the tqdm bar) in a thread, so the test can wait for a point in it."""

    def __init__(self, stream):
        self.text = ""
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for chunk in iter(lambda: stream.read1(256), b""):
            self.text += chunk.decode(errors="replace")

    def events_done(self) -> int:
        found = re.findall(r"(\d+)/(\d+)", self.text) or re.findall(r"\| (\d+) ", self.text)
        return int(found[-1][0] if isinstance(found[-1], tuple) else found[-1]) if found else 0


@pytest.mark.parametrize("point", ["validating", "storing"])
def test_a_process_killed_mid_batch_leaves_all_or_nothing_and_a_rerun_finishes(db, concord, point):
    people = feed_file(concord.feeds / "crm" / "big.jsonl", "crm", 0, 600)
    proc = concord.start("consent", "feeds")
    progress = Progress(proc.stderr)
    # "validating": as soon as the bar moves; "storing": once every event is validated (now writing).
    wanted = 1 if point == "validating" else 2 * people
    wait_until(lambda: progress.events_done() >= wanted or proc.poll() is not None, timeout=300, what=point)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    stored = _count(db, ConsentRecordRow)
    recorded = _count(db, FeedFileRow)
    assert (stored, recorded) in ((0, 0), (people, 1)), "a killed batch must be all or nothing"
    rerun = concord.run("job", "run", "consent.feeds")
    if rerun.returncode == 3:  # the killed run's lock has not expired yet: the scheduler's next try
        wait_until(lambda: concord.run("job", "run", "consent.feeds").returncode == 0, timeout=60, every=1)
    else:
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert _count(db, ConsentRecordRow) == people and _duplicated(db) == 0
    assert _count(db, FeedFileRow, FeedFileRow.status == "ingested") == 1
    assert (concord.feeds / "crm" / "done" / "big.jsonl").exists()
