"""SQLite under writer and reader processes: no "database is locked" reaches anyone, readers keep reading."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest
import sqlalchemy as sa

from consent.ingest import ingest_events
from consent.models import ConsentRecordRow
from core import audit, migrate
from core.db import Database
from core.settings import Settings
from tests.reliability.conftest import ROOT
from tests.reliability.sqlite_worker import ACTOR, batch

WRITERS, READERS, BATCHES = 3, 3, 30


@pytest.fixture
def sqlite_db(tmp_path):
    settings = Settings.from_env({}, instance_path=tmp_path, scheduler_enabled=False)
    db = Database(settings)
    migrate.upgrade(db)
    with db.session(write=True) as session:
        ingest_events(
            session, events=[{**e, "source_key": "seed"} for e in batch("seed", 0)][:2], actor=ACTOR
        )
    yield db
    db.dispose()


def _worker(db, folder, role: str, n: int, name: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "tests.reliability.sqlite_worker", db.settings.database_url, str(folder)]
    return subprocess.Popen(
        [*command, role, str(n), name], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def test_writer_and_reader_processes_see_no_errors_and_readers_are_not_held_up(sqlite_db, tmp_path):
    writers = [_worker(sqlite_db, tmp_path, "writer", BATCHES, f"w{n}") for n in range(WRITERS)]
    readers = [_worker(sqlite_db, tmp_path, "reader", 20_000, f"r{n}") for n in range(READERS)]
    everyone = writers + readers
    try:
        for proc in everyone:
            assert proc.stdout.readline().strip() == "ready"
        for proc in everyone:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        wrote = [orjson.loads(p.stdout.readline()) for p in writers]
        (tmp_path / "stop").touch()
        read = [orjson.loads(p.stdout.readline()) for p in readers]
    finally:
        for proc in everyone:
            proc.stdin.close()
            proc.wait(60)
    assert [w["errors"] for w in wrote] == [[]] * WRITERS and [r["errors"] for r in read] == [[]] * READERS
    assert [w["batches"] for w in wrote] == [BATCHES] * WRITERS
    final = 1 + WRITERS * BATCHES * 2
    with sqlite_db.session() as session:
        stored = session.execute(
            sa.select(sa.func.count()).select_from(ConsentRecordRow.__table__)
        ).scalar_one()
        assert stored == final and audit.verify(session).ok
    seen = [count for r in read for count in r["seen"]]
    # Readers read while the writers wrote (they saw the data part-way), never only before or after.
    assert all(r["reads"] > 0 for r in read) and any(1 < count < final for count in seen)
    assert all(a <= b for r in read for a, b in zip(r["seen"], r["seen"][1:], strict=False))
