"""Fixtures for the catalogue, lineage, glossary and steward pages: the sample company's catalogue, clients."""

from __future__ import annotations

import pytest

from sample_data import generate
from tests.web import catalogue_data
from tests.web.consent_data import cheap_password_hashes  # noqa: F401 - autouse fixture


@pytest.fixture(scope="session")
def catalogue_folder(tmp_path_factory):
    """A 300-person sample company's source databases, generated once per test session."""
    return generate(tmp_path_factory.mktemp("sample") / "company", customers=300, seed=11, progress=False)


@pytest.fixture
def seeded(runtime, catalogue_folder):
    """The sample sources scanned, the metric pack loaded and a lineage chain through dim_customer."""
    return catalogue_data.load(runtime, catalogue_folder)


@pytest.fixture
def analyst(signed_in):
    """A test client signed in as an analyst."""
    return signed_in("analyst")


@pytest.fixture
def steward(signed_in):
    """A test client signed in as a steward."""
    return signed_in("steward")
