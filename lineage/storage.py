"""Small storage helpers shared by the lineage modules: name keys, portable upserts, IN-list chunking."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

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


def insert_ignore(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows, skipping those whose primary or unique key already exists."""
    if not rows:
        return
    table = model.__table__
    make = postgresql.insert if dialect(session) == "postgresql" else sqlite.insert
    session.execute(make(table).values(list(rows)).on_conflict_do_nothing())


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


def merge_facets(
    facets: dict[str, Any], stamps: dict[str, str], incoming: dict[str, Any] | None, stamp: str
) -> tuple[dict[str, Any], dict[str, str], set[str]]:
    """Merge `incoming` into current facets: per facet the latest stamp wins; `_deleted: true` removes it.

    Returns new dicts (JSON columns must be reassigned to be saved) and the names that changed.
    """
    if not incoming:
        return facets, stamps, set()
    out, out_stamps, changed = dict(facets), dict(stamps), set()
    for name, facet in incoming.items():
        if out_stamps.get(name, "") > stamp:
            continue
        out_stamps[name] = stamp
        changed.add(name)
        if isinstance(facet, dict) and facet.get("_deleted") is True:
            out.pop(name, None)
        else:
            out[name] = facet
    return out, out_stamps, changed
