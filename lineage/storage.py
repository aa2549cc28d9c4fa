"""Small storage helpers shared by the lineage modules: name keys, portable upserts, IN-list chunking."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

T = TypeVar("T")

# Bound parameters per statement: well under SQLite's limit, and IN-lists PostgreSQL plans well.
CHUNK = 900


def name_key(namespace: str, name: str) -> str:
    """32 hex characters identifying (namespace, name); keeps unique indexes small for long names."""
    return hashlib.sha256(f"{namespace}\x00{name}".encode()).hexdigest()[:32]


def dialect(session: Session) -> str:
    """`sqlite` or `postgresql`."""
    return session.get_bind().dialect.name


@functools.cache
def _insert_ignore_statement(dialect_name: str, table: sa.Table):
    make = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    return make(table).on_conflict_do_nothing()


def insert_ignore(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows, skipping those whose primary or unique key already exists (one prepared statement)."""
    if rows:
        session.execute(_insert_ignore_statement(dialect(session), model.__table__), list(rows))


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Consecutive lists of at most `size` items."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class FacetMerge:
    """Facets after merging an event's: content, stamps, names whose content changed, names it re-stamped."""

    facets: dict[str, Any]
    stamps: dict[str, str]
    changed: set[str]
    restamped: set[str]


def merge_facets(
    facets: dict[str, Any], stamps: dict[str, str], incoming: dict[str, Any] | None, stamp: str
) -> FacetMerge:
    """Merge `incoming` into current facets: per facet the latest stamp wins; `_deleted: true` removes it.

    New dicts are returned (JSON columns must be reassigned to be saved); `facets` is the same object when
    no content changed (producers resend facets with every event), so callers can skip rewriting it.
    """
    if not incoming:
        return FacetMerge(facets, stamps, set(), set())
    out, out_stamps, changed, restamped = None, dict(stamps), set(), set()
    for name, facet in incoming.items():
        if out_stamps.get(name, "") > stamp:
            continue
        out_stamps[name] = stamp
        restamped.add(name)
        deleted = isinstance(facet, dict) and facet.get("_deleted") is True
        if (name not in facets) if deleted else (facets.get(name) == facet):
            continue
        out = out if out is not None else dict(facets)
        changed.add(name)
        if deleted:
            out.pop(name, None)
        else:
            out[name] = facet
    return FacetMerge(facets if out is None else out, out_stamps if restamped else stamps, changed, restamped)


def apply_merge(row, merge: FacetMerge) -> None:
    """Write a merge's facets and stamps to a row (only what changed: JSON columns are costly to rewrite)."""
    if merge.restamped:
        row.facet_stamps = merge.stamps
    if merge.changed:
        row.facets = merge.facets


def latest_per(
    session: Session, table: sa.Table, group: str, keys: Sequence[int], order: tuple[str, str], *conditions
) -> dict:
    """Per `group` value among `keys`, the id of the row that sorts last by `order` (then id)."""
    out: dict = {}
    for batch in chunks(keys):
        ranked = (
            sa.select(
                table.c[group],
                table.c.id,
                sa.func.row_number()
                .over(partition_by=table.c[group], order_by=tuple(table.c[c].desc() for c in order))
                .label("rank"),
            )
            .where(table.c[group].in_(batch), *conditions)
            .subquery()
        )
        out.update(session.execute(sa.select(ranked.c[group], ranked.c.id).where(ranked.c.rank == 1)).all())
    return out


def rows_in(session: Session, keys: Iterable, query_for) -> list[tuple]:
    """Rows of `query_for(batch)` for every chunk of `keys`, as tuples (one IN-list query per chunk)."""
    out: list[tuple] = []
    for batch in chunks(keys):
        out += [tuple(row) for row in session.execute(query_for(batch))]
    return out


def io_rows(
    session: Session, table: sa.Table, key: str, keys: Iterable, direction: str | None
) -> list[tuple]:
    """(key, direction, dataset_id) of an edge-like table for these keys, optionally one direction."""

    def query(batch):
        select = sa.select(table.c[key], table.c.direction, table.c.dataset_id).where(table.c[key].in_(batch))
        return select if direction is None else select.where(table.c.direction == direction)

    return rows_in(session, keys, query)
