"""Source systems registered by SQLAlchemy URL; passwords never appear in output, logs or the audit log."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session, select

from catalog.models_ops import CatalogSource
from core import audit, clock
from core.audit import Actor
from core.dataset_names import namespace_for
from core.errors import Conflict, InvalidInput, NotFound
from core.ids import new_id

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,99}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,199}$")
DIALECTS = ("sqlite", "postgresql")
MAX_SAMPLE_ROWS = 1000


@dataclass(frozen=True)
class SourceInfo:
    """A registered source as shown to people: the URL with its password masked."""

    id: str
    name: str
    url: str
    dialect: str
    namespace: str
    password_env: str | None
    description: str | None
    owner: str | None
    schemas: list[str]
    sample_rows: int
    scan_interval_seconds: int | None
    expected_update_seconds: int | None
    created_at: datetime
    created_by: str
    last_scan_at: datetime | None


def parse_url(url: str) -> sa.URL:
    """A supported SQLAlchemy URL (SQLite file or PostgreSQL); InvalidInput(field="url") otherwise."""
    if not isinstance(url, str) or not url.strip() or len(url) > 2000:
        raise InvalidInput("url must be a SQLAlchemy URL such as sqlite:///path/crm.db", field="url")
    try:
        parsed = sa.make_url(url.strip())
    except ArgumentError:
        raise InvalidInput(
            "url is not a SQLAlchemy URL; use sqlite:///path/file.db or postgresql://user@host:5432/db",
            field="url",
        ) from None
    backend = parsed.get_backend_name()
    if backend not in DIALECTS:
        raise InvalidInput(
            f"sources on {backend!r} are not supported; use {' or '.join(DIALECTS)}", field="url"
        )
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
            raise InvalidInput("a SQLite source needs a file path: sqlite:///path/to/file.db", field="url")
        return parsed.set(database=str(Path(parsed.database).expanduser().resolve()), query={})
    if not parsed.database:
        raise InvalidInput("a PostgreSQL source needs a database name: postgresql://host/dbname", field="url")
    return parsed.set(drivername="postgresql+psycopg")


def masked(url: str | sa.URL) -> str:
    """The URL with any password replaced by ***."""
    return sa.make_url(url).render_as_string(hide_password=True)


def _check_int(value, field: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{field} must be a whole number from {low} to {high}", field=field)
    return value


def register_source(
    session: Session,
    *,
    name: str,
    url: str,
    password_env: str | None = None,
    description: str | None = None,
    owner: str | None = None,
    schemas: list[str] | None = None,
    sample_rows: int = 100,
    scan_interval_seconds: int | None = None,
    expected_update_seconds: int | None = None,
    actor: Actor,
) -> SourceInfo:
    """Register a source system to scan; its password may be inline or (better) in an environment variable."""
    if not isinstance(name, str) or not NAME.match(name):
        raise InvalidInput(
            "name must be 1-100 lower-case letters, digits, '-' or '_', e.g. crm", field="name"
        )
    parsed = parse_url(url)
    if password_env is not None and not ENV_NAME.match(password_env):
        raise InvalidInput(
            "password_env must name an environment variable, e.g. CRM_DB_PASSWORD", field="password_env"
        )
    schemas = list(schemas or [])
    if parsed.get_backend_name() == "sqlite" and schemas:
        raise InvalidInput("schemas apply to PostgreSQL sources only", field="schemas")
    if any(not isinstance(s, str) or not s or len(s) > 200 for s in schemas):
        raise InvalidInput("schemas must be a list of schema names", field="schemas")
    _check_int(sample_rows, "sample_rows", 0, MAX_SAMPLE_ROWS)
    _check_int(scan_interval_seconds, "scan_interval_seconds", 60, 366 * 86400)
    _check_int(expected_update_seconds, "expected_update_seconds", 60, 366 * 86400)
    if session.exec(select(CatalogSource).where(CatalogSource.name == name)).first():
        raise Conflict(f"a source named {name!r} exists already", field="name")
    row = CatalogSource(
        id=new_id("src"),
        name=name,
        url=parsed.render_as_string(hide_password=False),
        password_env=password_env,
        dialect=parsed.get_backend_name(),
        namespace=namespace_for(parsed),
        description=description,
        owner=owner,
        schemas=schemas,
        sample_rows=sample_rows,
        scan_interval_seconds=scan_interval_seconds,
        expected_update_seconds=expected_update_seconds,
        created_by=actor.label,
        created_at=clock.now(),
    )
    session.add(row)
    audit.record(session, actor, "source.register", "source", row.id, {"name": name, "url": masked(parsed)})
    session.commit()
    return info(row)


def info(row: CatalogSource) -> SourceInfo:
    """A source row as shown to people."""
    return SourceInfo(
        id=row.id,
        name=row.name,
        url=masked(row.url),
        dialect=row.dialect,
        namespace=row.namespace,
        password_env=row.password_env,
        description=row.description,
        owner=row.owner,
        schemas=list(row.schemas or []),
        sample_rows=row.sample_rows,
        scan_interval_seconds=row.scan_interval_seconds,
        expected_update_seconds=row.expected_update_seconds,
        created_at=row.created_at,
        created_by=row.created_by,
        last_scan_at=row.last_scan_at,
    )


def get_source_row(session: Session, name: str) -> CatalogSource:
    """The source named `name`; NotFound listing how to see the registered ones."""
    row = session.exec(select(CatalogSource).where(CatalogSource.name == name)).first()
    if row is None:
        raise NotFound(f"no source {name!r}; list them with `concord catalog source list`", field="source")
    return row


def list_sources(session: Session) -> list[SourceInfo]:
    """Every registered source, by name."""
    return [info(r) for r in session.exec(select(CatalogSource).order_by(CatalogSource.name))]


def connect_url(row: CatalogSource) -> sa.URL:
    """The URL to connect with: the password comes from `password_env` when that is set."""
    url = sa.make_url(row.url)
    if row.password_env:
        secret = os.environ.get(row.password_env)
        if secret is None:
            raise InvalidInput(
                f"source {row.name!r} reads its password from ${row.password_env}, which is not set",
                field="password_env",
            )
        url = url.set(password=secret)
    return url


def due_sources(session: Session, now: datetime) -> list[str]:
    """Names of sources with a scan interval whose last scan is older than it (for the scheduled job)."""
    due = []
    for row in session.exec(select(CatalogSource).where(CatalogSource.scan_interval_seconds.is_not(None))):
        last = row.last_scan_at
        if last is None or (now - last).total_seconds() >= row.scan_interval_seconds:
            due.append(row.name)
    return sorted(due)
