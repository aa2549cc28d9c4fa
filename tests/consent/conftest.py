"""Fixtures for consent tests on the database: ingest events as a source system would."""

from __future__ import annotations

import pytest

from consent.ingest import ingest_events
from core.audit import Actor

INGEST = Actor(name="test-feed", role="ingest")


@pytest.fixture
def ingest(db):
    """Ingest a list of events in one batch (one session, committed); returns the IngestResult."""

    def run(*events, **kwargs):
        with db.session(write=True) as session:
            return ingest_events(session, events=list(events), actor=INGEST, **kwargs)

    return run


def profile(key, *, source="crm", jurisdiction="DE", emails=(), phones=(), **extra):
    """A profile event for a source record."""
    return {
        "type": "profile",
        "source": source,
        "source_key": key,
        "jurisdiction": jurisdiction,
        "emails": list(emails),
        "phones": list(phones),
        "first_name": extra.pop("first_name", "Ann"),
        "last_name": extra.pop("last_name", f"Person{key}"),
        **extra,
    }


def consent(
    rid,
    key=None,
    *,
    source="crm",
    status="opt_in",
    channel="email",
    purpose="marketing",
    method=None,
    captured_at="2025-03-01T12:00:00Z",
    **extra,
):
    """A consent event (evidence included unless given)."""
    event = {
        "type": "consent",
        "source": source,
        "id": rid,
        "channel": channel,
        "purpose": purpose,
        "status": status,
        "method": method or ("web_form" if status == "opt_in" else "unsubscribe_link"),
        "captured_at": captured_at,
        "evidence": {"capture_source": f"{source}:form"},
    }
    if key is not None:
        event["source_key"] = key
    event.update(extra)
    return event
