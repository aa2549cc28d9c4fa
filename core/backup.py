"""Backup and restore of the SQLite database: online and consistent through SQLite's backup API.

A backup copies the whole database inside one read transaction; in WAL mode writers carry on
meanwhile and the copy is exactly the database as of that transaction's start. A restore first checks
the file is a sound Concord database at a schema revision this code knows, saves the current database
as `<name>.bak` the same way, then copies the backup in through the same API, so processes that have
the database open see either the old or the restored content, never a mix.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlmodel import col, delete

from core import audit, leases, migrate
from core.audit import Actor
from core.db import Database
from core.errors import Conflict, InvalidInput, NotFound
from core.models import Lease

SQLITE_HEADER = b"SQLite format 3\x00"
CONCORD_TABLES = {"alembic_version", "audit_log", "audit_head"}


@dataclass(frozen=True)
class DatabaseFile:
    """A checked Concord database file."""

    path: Path
    revisions: list[str]
    audit_head_seq: int
    size_bytes: int


@dataclass(frozen=True)
class Restored:
    """What a restore did."""

    restored: DatabaseFile
    previous_saved_as: Path | None
    current: bool


def sqlite_path(db: Database) -> Path:
    """The file of a SQLite database (InvalidInput for PostgreSQL or an in-memory database)."""
    if db.dialect != "sqlite" or not db.engine.url.database or db.engine.url.database == ":memory:":
        raise InvalidInput("this works on a SQLite database file only", field="CONCORD_DATABASE_URL")
    return Path(db.engine.url.database).resolve()


def _copy(source: Path, target: Path, timeout: float) -> None:
    with (
        closing(sqlite3.connect(source, timeout=timeout)) as src,
        closing(sqlite3.connect(target, timeout=timeout)) as dst,
    ):
        # One step (pages=-1): a single read transaction, so the copy is consistent however busy writers are.
        src.backup(dst, pages=-1)


def backup_sqlite(db: Database, out: Path, *, actor: Actor, overwrite: bool = False) -> DatabaseFile:
    """Copy the live database to `out` (a self-contained file), check the copy, and audit the backup."""
    source, out = sqlite_path(db), Path(out).resolve()
    if out == source or out.name.startswith(source.name + "-"):
        raise InvalidInput("the backup must go to another file than the database itself", field="out")
    if out.exists() and not overwrite:
        raise Conflict(f"{out} exists; choose another name or pass --overwrite", field="out")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    _copy(source, partial, db.settings.sqlite_busy_timeout_ms / 1000)
    with closing(sqlite3.connect(partial)) as copy:
        copy.execute("PRAGMA journal_mode=DELETE")  # no -wal file needed beside the backup
    info = inspect_file(partial)
    os.replace(partial, out)
    with db.session(write=True) as session:
        audit.record(
            session,
            actor,
            "database.backup",
            "database",
            out.name,
            {"path": str(out), "audit_head_seq": info.audit_head_seq},
        )
        session.commit()
    return DatabaseFile(out, info.revisions, info.audit_head_seq, out.stat().st_size)


def inspect_file(path: Path) -> DatabaseFile:
    """Check `path` is an intact Concord database at known schema revisions; InvalidInput says what is wrong."""
    path = Path(path).resolve()
    if not path.is_file():
        raise NotFound(f"{path} does not exist", field="path")
    with path.open("rb") as fh:
        if fh.read(16) != SQLITE_HEADER:
            raise InvalidInput(f"{path} is not a SQLite database", field="path")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = CONCORD_TABLES - tables
            revisions = (
                [] if missing else [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
            )
            head = 0 if missing else (conn.execute("SELECT max(seq) FROM audit_head").fetchone()[0] or 0)
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{path} cannot be read as a database: {exc}", field="path") from None
    if check != "ok":
        raise InvalidInput(f"{path} is damaged (integrity check: {check})", field="path")
    if missing:
        raise InvalidInput(
            f"{path} is not a Concord database (no {', '.join(sorted(missing))})", field="path"
        )
    _check_revisions(path, revisions)
    return DatabaseFile(path, sorted(revisions), head, path.stat().st_size)


def _check_revisions(path: Path, revisions: list[str]) -> None:
    if not revisions:
        raise InvalidInput(f"{path} has no schema revision; it was never initialised", field="path")
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    known = {rev.revision for rev in scripts.walk_revisions()}
    unknown = sorted(set(revisions) - known)
    if unknown:
        raise InvalidInput(
            f"{path} is at schema revision(s) {', '.join(unknown)} that this Concord does not know; "
            "it was made by a newer version: upgrade Concord before restoring it",
            field="path",
        )


def restore_sqlite(db: Database, source: Path, *, actor: Actor, force: bool = False) -> Restored:
    """Replace the database with a checked backup, keeping the current one as `<name>.bak`."""
    checked = inspect_file(source)
    target = sqlite_path(db)
    if checked.path == target:
        raise InvalidInput("that file is the database itself", field="path")
    timeout = db.settings.sqlite_busy_timeout_ms / 1000
    saved = None
    if target.exists():
        holder = _live_leader(db)
        if holder is not None and not force:
            raise Conflict(
                f"a Concord service is running with the scheduler ({holder.host} pid {holder.pid}); "
                "stop it first, or pass --force to restore under it",
                field="--force",
            )
        saved = target.with_name(target.name + ".bak")
        saved.unlink(missing_ok=True)
        _copy(target, saved, timeout)
    _copy(checked.path, target, timeout)
    db.dispose()
    with db.session(write=True) as session:
        if "lease" in sa.inspect(session.connection()).get_table_names():
            session.exec(delete(Lease).where(col(Lease.name).is_not(None)))  # leases in a backup are stale
        audit.record(
            session,
            actor,
            "database.restore",
            "database",
            target.name,
            {
                "from": str(checked.path),
                "previous_saved_as": str(saved) if saved else None,
                "revisions": checked.revisions,
            },
        )
        session.commit()
    return Restored(checked, saved, migrate.is_current(db.engine))


def _live_leader(db: Database) -> leases.LeaseInfo | None:
    try:
        return leases.current(db, leases.LEADER_LOCK)
    except Exception:  # an old schema without the lease table: no scheduler can be holding it
        return None
