"""Reading a source database: tables and views, columns, row counts and a bounded value sample.

One connection and one read-only snapshot per scan; columns come from a single `get_multi_columns`
per schema, row counts from batched UNION ALL queries, samples from one LIMIT query per table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine.reflection import ObjectKind
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from core.errors import InvalidInput, Unavailable

log = logging.getLogger(__name__)

SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast"}
COUNT_BATCH = 100
MAX_VALUE = 200


@dataclass
class TableInfo:
    """A table or view as read from the source."""

    schema: str | None
    name: str
    kind: str  # table | view
    columns: list[dict] = field(default_factory=list)  # {name, type, nullable, comment}
    comment: str | None = None
    row_count: int | None = None
    sample: dict[str, list[str]] = field(default_factory=dict)


def _engine(url: sa.URL) -> sa.Engine:
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not path.is_file():
            raise Unavailable(f"no SQLite database at {path}; check the source's URL", field="url")
        # Read-only URI: a scan must never create or change the source file.
        ro = sa.make_url(f"sqlite:///file:{path}?mode=ro&uri=true")
        return sa.create_engine(ro, poolclass=NullPool)
    return sa.create_engine(
        url,
        poolclass=NullPool,
        connect_args={
            "connect_timeout": 10,
            "options": "-c default_transaction_read_only=on -c statement_timeout=120000",
        },
    )


def _scrub(message: str, url: sa.URL) -> str:
    text = " ".join(str(message).split())[:500]
    if url.password:
        text = text.replace(str(url.password), "***")
    return text


def unreachable(exc: Exception, url: sa.URL, source: str) -> Unavailable:
    """A clear error for a source that cannot be read, without its password."""
    reason = _scrub(getattr(exc, "orig", None) or exc, url)
    return Unavailable(
        f"cannot read source {source!r} at {url.render_as_string(hide_password=True)}: {reason}. "
        "Check the URL, that the database is running and accepts connections, and the credentials.",
        field="url",
    )


def read_source(
    url: sa.URL,
    *,
    source: str,
    schemas: list[str] | None = None,
    sample_rows: int = 100,
    progress: Callable[[int, int], None] | None = None,
) -> list[TableInfo]:
    """Every table and view of the source with columns, row counts and samples; Unavailable on failure."""
    try:
        engine = _engine(url)
    except NoSuchModuleError as exc:
        raise InvalidInput(f"no driver for {url.drivername}: {exc}", field="url") from None
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":  # one consistent snapshot for the whole scan
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            tables = _catalogue(conn, schemas)
            _count_rows(conn, tables)
            for done, table in enumerate(tables, 1):
                if sample_rows:
                    table.sample = _sample(conn, table, sample_rows)
                if progress:
                    progress(done, len(tables))
            return tables
    except (DBAPIError, SQLAlchemyError) as exc:
        raise unreachable(exc, url, source) from None
    finally:
        engine.dispose()


def _catalogue(conn: sa.Connection, schemas: list[str] | None) -> list[TableInfo]:
    inspector = sa.inspect(conn)
    if conn.dialect.name == "sqlite":
        targets: list[str | None] = [None]
    else:
        present = [
            s for s in inspector.get_schema_names() if s not in SYSTEM_SCHEMAS and not s.startswith("pg_")
        ]
        targets = [s for s in present if s in schemas] if schemas else present
    tables: list[TableInfo] = []
    for schema in targets:
        views = set(inspector.get_view_names(schema=schema))
        if conn.dialect.name == "postgresql":
            views |= set(inspector.get_materialized_view_names(schema=schema))
        columns = inspector.get_multi_columns(schema=schema, kind=ObjectKind.ANY)
        comments = _comments(inspector, schema)
        for (_schema, name), cols in sorted(columns.items(), key=lambda kv: kv[0][1]):
            if conn.dialect.name == "sqlite" and name.startswith("sqlite_"):
                continue
            tables.append(
                TableInfo(
                    schema=schema,
                    name=name,
                    kind="view" if name in views else "table",
                    comment=comments.get(name),
                    columns=[_column(c, conn.dialect) for c in cols],
                )
            )
    return tables


def _comments(inspector, schema) -> dict[str, str]:
    try:
        found = inspector.get_multi_table_comment(schema=schema, kind=ObjectKind.ANY)
    except NotImplementedError:  # SQLite has no comments
        return {}
    return {name: c["text"] for (_s, name), c in found.items() if c and c.get("text")}


def _column(col: dict, dialect) -> dict:
    try:
        ctype = col["type"].compile(dialect=dialect)
    except Exception:  # an exotic type the dialect cannot render: its class name will do
        ctype = type(col["type"]).__name__
    return {
        "name": col["name"],
        "type": ctype,
        "nullable": col.get("nullable"),
        "comment": col.get("comment"),
    }


def _qualified(conn: sa.Connection, table: TableInfo) -> str:
    quote = conn.dialect.identifier_preparer.quote
    return f"{quote(table.schema)}.{quote(table.name)}" if table.schema else quote(table.name)


def _count_rows(conn: sa.Connection, tables: list[TableInfo]) -> None:
    """Exact row counts of tables (not views, which may be costly), several tables per query."""
    plain = [t for t in tables if t.kind == "table"]
    for start in range(0, len(plain), COUNT_BATCH):
        batch = plain[start : start + COUNT_BATCH]
        sql = " UNION ALL ".join(
            f"SELECT {i} AS k, count(*) AS n FROM {_qualified(conn, t)}" for i, t in enumerate(batch)
        )
        for k, n in conn.execute(sa.text(sql)):
            batch[k].row_count = int(n)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)[:MAX_VALUE]


def _sample(conn: sa.Connection, table: TableInfo, rows: int) -> dict[str, list[str]]:
    """The first `rows` rows of a table, as text per column (None for NULL)."""
    if not table.columns:
        return {}
    quote = conn.dialect.identifier_preparer.quote
    cols = ", ".join(quote(c["name"]) for c in table.columns)
    result = conn.execute(sa.text(f"SELECT {cols} FROM {_qualified(conn, table)} LIMIT {int(rows)}")).all()
    names = [c["name"] for c in table.columns]
    return {name: [_text(r[i]) for r in result] for i, name in enumerate(names)}
