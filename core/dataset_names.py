"""OpenLineage names of tables in SQL databases, shared so scans, pulls and lineage name a table alike."""

from __future__ import annotations

import sqlalchemy as sa

from core.openlineage import DatasetRef


def namespace_for(url: sa.URL) -> str:
    """The OpenLineage namespace of a database: `sqlite:///abs/path.db` or `postgres://host:port`."""
    if url.get_backend_name() == "sqlite":
        return f"sqlite://{url.database}"
    return f"postgres://{url.host or 'localhost'}:{url.port or 5432}"


def dataset_name(url: sa.URL, schema: str | None, table: str) -> str:
    """A table's OpenLineage dataset name: `table` on SQLite, `database.schema.table` on PostgreSQL."""
    if url.get_backend_name() == "sqlite":
        return table if schema in (None, "main") else f"{schema}.{table}"
    return f"{url.database}.{schema}.{table}"


def table_ref(url: sa.URL, table: str) -> DatasetRef:
    """The dataset of `table` (or `schema.table`) in the database at `url`; PostgreSQL's default schema is public."""
    schema, _, name = table.rpartition(".")
    if url.get_backend_name() != "sqlite":
        schema = schema or "public"
    return DatasetRef(namespace_for(url), dataset_name(url, schema or None, name))
