"""A small sample company generated once per test session, at a fixed instant."""

from __future__ import annotations

import csv
import sqlite3
from datetime import UTC, datetime

import pytest

from sample_data import Manifest, generate

AS_OF = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PEOPLE = 2_000


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Manifest:
    """2,000 people, seed 11, as of 2025-06-01T12:00Z."""
    return generate(tmp_path_factory.mktemp("sample"), customers=PEOPLE, seed=11, as_of=AS_OF, progress=False)


@pytest.fixture(scope="session")
def person_of(sample) -> dict[tuple[str, str], str]:
    """(system, key) -> person_id from truth.csv."""
    with sample.truth_path.open() as fh:
        return {(r["source_system"], r["source_key"]): r["person_id"] for r in csv.DictReader(fh)}


@pytest.fixture(scope="session")
def query(sample):
    """Run SQL against one source system's database and return the rows."""

    def run(system: str, sql: str, *params) -> list[tuple]:
        conn = sqlite3.connect(sample.source_db(system))
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    return run
