"""Fixtures for identity tests: a write session and a short way to upsert records."""

from __future__ import annotations

import pytest

from core.audit import SYSTEM
from identity.service import SourceRecordIn, upsert_source_records


def rec(system: str, key: str, **fields) -> SourceRecordIn:
    """A SourceRecordIn with tuples for emails and phones."""
    for name in ("emails", "phones"):
        if isinstance(fields.get(name), (list, str)):
            value = fields[name]
            fields[name] = (value,) if isinstance(value, str) else tuple(value)
    return SourceRecordIn(source_system=system, source_key=key, **fields)


@pytest.fixture
def session(db):
    """A write session on the test database."""
    with db.session(write=True) as s:
        yield s


@pytest.fixture
def upsert(session):
    """Upsert records as the system actor; returns the UpsertResult."""

    def run(*records: SourceRecordIn, **kwargs):
        return upsert_source_records(session, records=list(records), actor=SYSTEM, **kwargs)

    return run
