"""Schema migrations with Alembic: one branch per package (core, identity, consent...), all upgraded to heads."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from core import audit
from core.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at Concord's migrations, bound to `connection`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(db: Database) -> list[str]:
    """Upgrade the database to every branch head and make sure the audit chain has its head row."""
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "heads")
    with db.session(write=True) as session:
        audit.ensure_head(session)
        session.commit()
    return current_revisions(db.engine)


def engine_managed_tables(connection: Connection) -> set[str]:
    """Tables the database engine manages itself (SQLite FTS5 virtual tables and their shadow tables).

    Migrations create them with raw DDL; models cannot describe them, so comparisons skip them.
    """
    if connection.dialect.name != "sqlite":
        return set()
    rows = connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    return {name for name, _ in rows if any(name == v or name.startswith(v + "_") for v in virtual)}


def include_name_filter(connection: Connection):
    """An Alembic `include_name` hook that leaves engine-managed tables out of comparisons."""
    skip = engine_managed_tables(connection)

    def include_name(name, type_, _parent_names) -> bool:
        return not (type_ == "table" and name in skip)

    return include_name


def current_revisions(engine: Engine) -> list[str]:
    """Revisions the database is at (one per branch)."""
    with engine.connect() as conn:
        return sorted(MigrationContext.configure(conn).get_current_heads())


def head_revisions() -> list[str]:
    """Revisions the code expects (one per branch)."""
    return sorted(ScriptDirectory.from_config(alembic_config()).get_heads())


def is_current(engine: Engine) -> bool:
    """Whether the database is at every head the code has."""
    return current_revisions(engine) == head_revisions()
