"""Schema migrations with Alembic: one branch per package (core, identity, consent...), all upgraded to heads."""

from __future__ import annotations

import functools
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


def current_revisions(engine: Engine) -> list[str]:
    """Revisions the database is at (one per branch)."""
    with engine.connect() as conn:
        return sorted(MigrationContext.configure(conn).get_current_heads())


def head_revisions() -> list[str]:
    """Revisions the code expects (one per branch)."""
    return list(_code_heads())


@functools.cache
def _code_heads() -> tuple[str, ...]:
    # The scripts do not change while the process runs: parse them once, not on every health probe.
    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def is_current(engine: Engine) -> bool:
    """Whether the database is at every head the code has."""
    return current_revisions(engine) == head_revisions()
