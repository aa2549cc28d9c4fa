"""A small company for page tests, loaded through the consent ingestion service (identity included)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from consent.ingest import ingest_events
from core import clock, users
from core.audit import Actor
from core.clock import iso
from identity import service as identity

FEED = Actor(name="test-feed", role="ingest")
SCRIPT_NAME = "<script>alert('x')</script>"
SCRIPT_EVIDENCE = '<img src=x onerror="alert(1)">'


def _ago(days: float) -> str:
    return iso(clock.now() - timedelta(days=days))


def _profile(source, key, first, last, jurisdiction, emails=(), phones=()):
    return {"type": "profile", "source": source, "source_key": key, "first_name": first, "last_name": last,
            "jurisdiction": jurisdiction, "emails": list(emails), "phones": list(phones)}  # fmt: skip


def _consent(rid, source, key, status, days, *, evidence=None, received=None, method=None, channel="email"):
    event = {"type": "consent", "source": source, "id": rid, "source_key": key, "channel": channel,
             "purpose": "marketing", "status": status, "captured_at": _ago(days),
             "method": method or ("web_form" if status == "opt_in" else "unsubscribe_link"),
             "evidence": evidence or {"capture_source": f"{source}:form"}}  # fmt: skip
    if received is not None:
        event["received_at"] = _ago(received)
    return event


def events() -> list[dict]:
    """Ann (two merged records, opted in then out), a household sharing a phone, a hostile name, the lists."""
    return [
        _profile("crm", "C1", "Ann", "Example", "DE", ["ann@example.com"], ["+49 30 1234567"]),
        _profile("billing", "B1", "Ann", "Example", "DE", ["ANN@example.com"]),
        _profile("marketing", "M1", "Ann", "Example", "DE", ["ann@example.com"]),
        _profile("support", "S1", "Bob", "Smith", "US-CA", ["bob@example.com"], ["+1 415 555 0142"]),
        _profile("support", "S2", "Bea", "Smith", "US-CA", ["bea@example.com"], ["+1 415 555 0142"]),
        _profile("crm", "C9", SCRIPT_NAME, "Doe", "GB", ["evil@example.com"]),
        _consent("p1", "crm", "C1", "opt_in", 200, evidence={"capture_source": "crm:form", "url": "https://evidence.example/ann"},
                 received=199),
        _consent("p2", "marketing", "M1", "opt_out", 10, received=2),
        _consent("p9", "crm", "C9", "opt_in", 30, evidence={"capture_source": SCRIPT_EVIDENCE}),
        {"type": "suppression", "source": "marketing", "id": "sp1", "list": "spam_complaint",
         "contact_point": "bob@example.com", "captured_at": _ago(5)},
        {"type": "suppression", "source": "marketing", "id": "hb1", "list": "hard_bounce",
         "contact_point": "bea@example.com", "captured_at": _ago(20), "expires_at": iso(clock.now() + timedelta(days=160))},
        {"type": "suppression", "source": "marketing", "id": "hb2", "list": "hard_bounce",
         "contact_point": "old@example.com", "captured_at": _ago(300), "expires_at": _ago(120)},
        {"type": "dnc_request", "source": "support", "id": "d1", "phone": "+1 415 555 0142", "captured_at": _ago(7)},
        {"type": "gpc_signal", "source": "support", "id": "g1", "source_key": "S1", "observed_at": _ago(3)},
        {"type": "dnc_registry_snapshot", "source": "registry", "registry": "us_national",
         "downloaded_at": _ago(3), "listed_numbers": ["4155550142"]},
    ]  # fmt: skip


def load(db) -> dict[str, str]:
    """Ingest the company; returns the customer id of each person (ann, bob, bea, evil)."""
    with db.session(write=True) as session:
        ingest_events(session, events=events(), actor=FEED)
    with db.session() as session:
        keys = {"ann": "crm:C1", "bob": "support:S1", "bea": "support:S2", "evil": "crm:C9"}
        return {name: identity.resolve(session, source_key=key)[0] for name, key in keys.items()}


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """Sign-ins are not what page tests check: hash test passwords with the cheapest Argon2 settings."""
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
