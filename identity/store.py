"""Low-level storage helpers: the writer lock, bulk IN queries that work on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from core import clock
from identity.models import IdentityState
from identity.rules import MatchRules, default_rules, parse_rules

CHUNK = 20_000
STATE_ID = 1


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """Consecutive slices of `values` of at most `size` items."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _in(session: Session, column: str, param: str) -> str:
    # One bound parameter per chunk instead of one per value: JSON on SQLite, an array on PostgreSQL.
    if session.get_bind().dialect.name == "postgresql":
        return f"{column} = ANY(:{param})"
    return f"{column} IN (SELECT value FROM json_each(:{param}))"


def _bind(session: Session, values: Sequence[Any]) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return list(values)
    return orjson.dumps(list(values)).decode()


def _statement(session: Session, query: str | sa.Select | sa.Update | sa.Delete, column: str):
    condition = _in(session, column, "_vals")
    if isinstance(query, str):
        return sa.text(query.replace("{IN}", condition))
    return query.where(sa.text(condition))


def select_in(
    session: Session,
    query: str | sa.Select,
    column: str,
    values: Iterable[Any],
    params: dict[str, Any] | None = None,
) -> list[sa.Row]:
    """Run `query` restricted to `column` in `values`, in chunks (a text query marks the test with `{IN}`)."""
    distinct = list(dict.fromkeys(values))
    rows: list[sa.Row] = []
    statement = _statement(session, query, column)
    for chunk in chunks(distinct):
        rows.extend(session.execute(statement, {**(params or {}), "_vals": _bind(session, chunk)}).all())
    return rows


def execute_in(
    session: Session,
    query: str | sa.Update | sa.Delete,
    column: str,
    values: Iterable[Any],
    params: dict[str, Any] | None = None,
) -> None:
    """Run a write restricted to `column` in `values`, in chunks."""
    distinct = list(dict.fromkeys(values))
    statement = _statement(session, query, column)
    for chunk in chunks(distinct):
        session.execute(statement, {**(params or {}), "_vals": _bind(session, chunk)})


def _upsert_state(session: Session):
    table = IdentityState.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return (
        insert(table)
        .values(id=STATE_ID, next_seq=1, updated_at=clock.now())
        .on_conflict_do_nothing(index_elements=["id"])
    )


def lock_state(session: Session) -> None:
    """Take the identity writer lock: the state row, FOR UPDATE (SQLite writers already hold the lock)."""
    session.execute(_upsert_state(session))
    table = IdentityState.__table__
    session.execute(sa.select(table.c.id).where(table.c.id == STATE_ID).with_for_update()).one()


def take_seqs(session: Session, count: int) -> int:
    """Reserve `count` consecutive creation numbers (under the writer lock); return the first."""
    table = IdentityState.__table__
    first = session.execute(sa.select(table.c.next_seq).where(table.c.id == STATE_ID)).scalar_one()
    if count:
        session.execute(
            sa.update(table)
            .where(table.c.id == STATE_ID)
            .values(next_seq=first + count, updated_at=clock.now())
        )
    return first


def active_rules(session: Session) -> MatchRules:
    """The rules stored as active, or the packaged default when none were activated."""
    table = IdentityState.__table__
    document = session.execute(sa.select(table.c.rules).where(table.c.id == STATE_ID)).scalar()
    return parse_rules(document) if document else default_rules()


def store_rules(session: Session, rules: MatchRules) -> None:
    """Make `rules` the active rules (the caller holds the writer lock)."""
    table = IdentityState.__table__
    session.execute(
        sa.update(table)
        .where(table.c.id == STATE_ID)
        .values(rules=rules.to_dict(), rules_version=rules.version, updated_at=clock.now())
    )


def select_keys(
    session: Session, table: sa.Table, columns: Sequence[Any], keys: Iterable[tuple[str, str]]
) -> list[sa.Row]:
    """Rows of `table` (keyed by source_system and source_key) for `(system, key)` pairs, in bulk."""
    by_system: dict[str, list[str]] = {}
    for system, key in keys:
        by_system.setdefault(system, []).append(key)
    rows: list[sa.Row] = []
    for system, system_keys in by_system.items():
        query = sa.select(*columns).where(table.c.source_system == system)
        rows.extend(select_in(session, query, "source_key", system_keys))
    return rows
