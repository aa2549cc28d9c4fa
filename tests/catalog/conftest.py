"""Catalogue fixtures: the sample company's source databases and a steward actor."""

from __future__ import annotations

import pytest

from core.audit import Actor
from tests.catalog.sample_sources import manifest, write_sources

STEWARD = Actor(name="sam", role="steward", kind="user")


@pytest.fixture(scope="session")
def sample_sources(tmp_path_factory):
    """{system: path} of the five source databases, and the manifest of expected PII classes."""
    folder = tmp_path_factory.mktemp("sample") / "sources"
    return write_sources(folder), manifest()
