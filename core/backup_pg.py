"""PostgreSQL backups with pg_dump (custom format); restores are printed for the operator to run."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from core import audit
from core.audit import Actor
from core.db import Database
from core.errors import Conflict, InvalidInput, Unavailable


@dataclass(frozen=True)
class PgCommand:
    """A client command, its environment (the password goes there, never on the command line) and how to show it."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        """The command as an operator would type it (password left to PGPASSWORD or ~/.pgpass)."""
        return shlex.join(self.argv)


def _target(db: Database) -> tuple[str, dict[str, str], str | None]:
    if db.dialect != "postgresql":
        raise InvalidInput("pg_dump works on PostgreSQL only", field="CONCORD_DATABASE_URL")
    url = db.engine.url
    env = {"PGPASSWORD": url.password} if url.password else {}
    libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    with db.engine.connect() as conn:
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
    return libpq, env, (schema if schema and schema != "public" else None)


def dump_command(db: Database, out: Path) -> PgCommand:
    """`pg_dump --format=custom` of Concord's schema into `out`."""
    url, env, schema = _target(db)
    argv = ["pg_dump", "--format=custom", "--no-owner", f"--file={out}"]
    if schema:
        argv.append(f"--schema={schema}")
    return PgCommand([*argv, f"--dbname={url}"], env)


def restore_command(db: Database, source: Path) -> PgCommand:
    """`pg_restore` replacing Concord's tables with the dump's, in one transaction."""
    url, env, _schema = _target(db)
    argv = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", f"--dbname={url}"]
    return PgCommand([*argv, str(source)], env)


def run_dump(db: Database, out: Path, *, actor: Actor, overwrite: bool = False) -> Path:
    """Run pg_dump (Unavailable, with the command to run by hand, if it is not installed) and audit it."""
    out = Path(out).resolve()
    if out.exists() and not overwrite:
        raise Conflict(f"{out} exists; choose another name or pass --overwrite", field="out")
    command = dump_command(db, out)
    if shutil.which("pg_dump") is None:
        raise Unavailable(f"pg_dump is not installed here; run on a host that has it: {command.shown}")
    out.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(  # noqa: S603 - fixed program, arguments built above
        command.argv, env={**os.environ, **command.env}, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise Unavailable(f"pg_dump failed ({done.returncode}): {done.stderr.strip()[:2000]}")
    with db.session(write=True) as session:
        audit.record(
            session, actor, "database.backup", "database", out.name, {"path": str(out), "tool": "pg_dump"}
        )
        session.commit()
    return out
