"""Catalogue fixtures: the sample company's source databases (from the generator) and a steward actor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.audit import Actor
from sample_data import generate

STEWARD = Actor(name="sam", role="steward", kind="user")
SYSTEMS = ("crm", "billing", "support", "marketing", "product")


@pytest.fixture(scope="session")
def sample_manifest(tmp_path_factory):
    """A small generated sample company (300 people, fixed seed and instant)."""
    folder = tmp_path_factory.mktemp("sample")
    return generate(folder, customers=300, seed=5, as_of=datetime(2025, 6, 1, tzinfo=UTC), progress=False)


@pytest.fixture(scope="session")
def sample_sources(sample_manifest):
    """({system: database path}, {system: {table: {column: expected PII class or None}}})."""
    expected: dict[str, dict[str, dict]] = {s: {} for s in SYSTEMS}
    for name, entry in sample_manifest.tables.items():
        system, table = name.split(".", 1)
        expected[system][table] = dict(entry["columns"])
    return {s: sample_manifest.source_db(s) for s in SYSTEMS}, expected
