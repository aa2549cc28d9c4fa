"""Migrations and models agree, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from app import import_models
from core import migrate


def test_database_is_at_every_head(db):
    assert migrate.is_current(db.engine)


def test_models_match_migrations(db):
    import_models()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": migrate.include_name_filter(conn)}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
