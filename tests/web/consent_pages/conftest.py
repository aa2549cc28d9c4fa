"""Fixtures for the pages built on consent (compliance, policies, suppression, dashboard): company, clients."""

from __future__ import annotations

import pytest

from tests.web import consent_data
from tests.web.consent_data import cheap_password_hashes  # noqa: F401 - autouse fixture


@pytest.fixture
def company(db):
    """The small company of `consent_data`, loaded; customer ids by name."""
    return consent_data.load(db)


@pytest.fixture
def officer(signed_in):
    """A test client signed in as a compliance officer."""
    return signed_in("compliance")
