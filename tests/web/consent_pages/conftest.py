"""Fixtures for the pages built on consent (compliance, policies, suppression, dashboard): company, clients."""

from __future__ import annotations

import contextlib
import types

import pytest

from sample_data import generate
from sample_data.loaders import run_loaders
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


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory):
    """A 300-person sample company, generated once per test session (about a tenth of a second)."""
    return generate(tmp_path_factory.mktemp("sample") / "company", customers=300, seed=7, progress=False)


@pytest.fixture
def sample_company(runtime, sample_folder):
    """The sample company loaded through the demo loaders (identity, then consent), as `concord demo` does."""
    for _name, _summary in run_loaders(runtime, sample_folder, progress=_quiet_bar):
        pass
    return runtime.db


@contextlib.contextmanager
def _quiet_bar(**_kwargs):
    yield types.SimpleNamespace(update=lambda n=1: None)
