"""SQLite backup (online, consistent) and restore (checked, previous kept, refused under a running scheduler)."""

import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest

from core import audit, backup, backup_pg, leases
from core.audit import SYSTEM
from core.db import Database
from core.errors import Conflict, InvalidInput, NotFound, Unavailable
from core.settings import Settings
from core.tokens import create_token, list_tokens


@pytest.fixture
def sqlite_db(db, backend):
    if backend != "sqlite":
        pytest.skip("SQLite backups; PostgreSQL uses pg_dump")
    return db


def _tokens(db, *names):
    with db.session(write=True) as session:
        for name in names:
            create_token(session, role="analyst", name=name, actor=SYSTEM)


def _names(db) -> set[str]:
    with db.session() as session:
        return {t.name for t in list_tokens(session)}


def _open(path: Path, tmp_path: Path) -> Database:
    settings = Settings.from_env({}, instance_path=tmp_path / "open", database_url=f"sqlite:///{path}")
    return Database(settings)


def test_backup_while_writers_write_is_a_consistent_snapshot(sqlite_db, tmp_path):
    stop, errors, written = threading.Event(), [], []

    def writer(n):
        try:
            for i in range(300):
                if stop.is_set():
                    return
                _tokens(sqlite_db, f"w{n}-{i}")
                written.append(1)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    try:
        made = backup.backup_sqlite(sqlite_db, tmp_path / "b.db", actor=SYSTEM)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert errors == []
    copy = _open(made.path, tmp_path)
    with copy.session() as session:
        verified = audit.verify(session)
        tokens = len(list_tokens(session))
    copy.dispose()
    # Every token in the copy has its audit entry and the chain is whole: nothing half-written.
    assert verified.ok, verified.problems
    assert verified.checked == tokens == made.audit_head_seq
    assert not Path(str(made.path) + "-wal").exists()


def test_backup_is_audited_and_will_not_overwrite(sqlite_db, tmp_path):
    out = tmp_path / "b.db"
    backup.backup_sqlite(sqlite_db, out, actor=SYSTEM)
    with sqlite_db.session() as session:
        assert audit.recent(session, limit=1)[0].action == "database.backup"
    with pytest.raises(Conflict):
        backup.backup_sqlite(sqlite_db, out, actor=SYSTEM)
    backup.backup_sqlite(sqlite_db, out, actor=SYSTEM, overwrite=True)
    with pytest.raises(InvalidInput):
        backup.backup_sqlite(sqlite_db, backup.sqlite_path(sqlite_db), actor=SYSTEM, overwrite=True)


def test_restore_brings_back_the_backup_and_keeps_the_previous_database(sqlite_db, tmp_path):
    _tokens(sqlite_db, "before")
    made = backup.backup_sqlite(sqlite_db, tmp_path / "b.db", actor=SYSTEM)
    _tokens(sqlite_db, "after")
    done = backup.restore_sqlite(sqlite_db, made.path, actor=SYSTEM)
    assert _names(sqlite_db) == {"before"}
    assert done.current and done.previous_saved_as.name == "concord.db.bak"
    previous = _open(done.previous_saved_as, tmp_path)
    assert _names(previous) == {"before", "after"}
    previous.dispose()
    with sqlite_db.session() as session:
        assert audit.verify(session).ok
        assert audit.recent(session, limit=1)[0].action == "database.restore"


def test_restore_is_refused_while_a_scheduler_leads_unless_forced(sqlite_db, tmp_path):
    made = backup.backup_sqlite(sqlite_db, tmp_path / "b.db", actor=SYSTEM)
    assert leases.LeaseLock(sqlite_db, leases.LEADER_LOCK, holder="svc", ttl_seconds=60).acquire()
    with pytest.raises(Conflict) as refused:
        backup.restore_sqlite(sqlite_db, made.path, actor=SYSTEM)
    assert refused.value.field == "--force"
    backup.restore_sqlite(sqlite_db, made.path, actor=SYSTEM, force=True)
    assert leases.current(sqlite_db, leases.LEADER_LOCK) is None, "leases from the backup are dropped"


def test_restore_checks_the_file_first(sqlite_db, tmp_path):
    _tokens(sqlite_db, "keep")
    with pytest.raises(NotFound):
        backup.restore_sqlite(sqlite_db, tmp_path / "missing.db", actor=SYSTEM)
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    with pytest.raises(InvalidInput, match="not a SQLite database"):
        backup.restore_sqlite(sqlite_db, text, actor=SYSTEM)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(InvalidInput, match="not a Concord database"):
        backup.restore_sqlite(sqlite_db, other, actor=SYSTEM)
    newer = backup.backup_sqlite(sqlite_db, tmp_path / "newer.db", actor=SYSTEM).path
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO alembic_version VALUES ('core_9999')")
    with pytest.raises(InvalidInput, match="newer version"):
        backup.restore_sqlite(sqlite_db, newer, actor=SYSTEM)
    assert _names(sqlite_db) == {"keep"}, "a refused restore changes nothing"


def test_restoring_an_older_schema_says_to_upgrade(sqlite_db, tmp_path):
    old = backup.backup_sqlite(sqlite_db, tmp_path / "old.db", actor=SYSTEM).path
    with sqlite3.connect(old) as conn:
        conn.execute("DROP TABLE lease")
        conn.execute("UPDATE alembic_version SET version_num = 'core_0001' WHERE version_num = 'core_0002'")
    done = backup.restore_sqlite(sqlite_db, old, actor=SYSTEM)
    assert not done.current


def test_pg_dump_command_names_the_schema_and_hides_the_password(db, backend, tmp_path):
    if backend != "postgresql":
        pytest.skip("pg_dump is PostgreSQL's")
    command = backup_pg.dump_command(db, tmp_path / "d.dump")
    assert command.argv[0] == "pg_dump" and "--format=custom" in command.argv
    assert any(a.startswith("--schema=t_") for a in command.argv)
    assert "postgresql://postgres@127.0.0.1:5432/test" in command.shown


def test_pg_dump_writes_a_restorable_archive(db, backend, tmp_path):
    if backend != "postgresql" or shutil.which("pg_restore") is None:
        pytest.skip("needs PostgreSQL and its client tools")
    out = backup_pg.run_dump(db, tmp_path / "d.dump", actor=SYSTEM)
    listing = subprocess.run(
        ["pg_restore", "--list", str(out)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE public" not in listing and "TABLE" in listing and "job_run" in listing
    with db.session() as session:
        assert audit.recent(session, limit=1)[0].action == "database.backup"


def test_pg_dump_missing_prints_the_command(db, backend, tmp_path, monkeypatch):
    if backend != "postgresql":
        pytest.skip("pg_dump is PostgreSQL's")
    monkeypatch.setattr(backup_pg.shutil, "which", lambda _name: None)
    with pytest.raises(Unavailable, match="pg_dump --format=custom"):
        backup_pg.run_dump(db, tmp_path / "d.dump", actor=SYSTEM)


def test_sqlite_only_functions_refuse_postgresql(db, backend, tmp_path):
    if backend != "postgresql":
        pytest.skip("checks the PostgreSQL refusal")
    with pytest.raises(InvalidInput):
        backup.backup_sqlite(db, tmp_path / "x.db", actor=SYSTEM)
