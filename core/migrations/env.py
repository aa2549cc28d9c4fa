"""Alembic environment: runs on the connection Concord hands it (SQLite or PostgreSQL)."""

from alembic import context
from sqlmodel import SQLModel

from core.migrate import include_name_filter

config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name_filter(connection),
)
with context.begin_transaction():
    context.run_migrations()
