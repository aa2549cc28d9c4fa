"""Suppression lists as compliance reads them: live and expired entries, requests, GPC, registry freshness."""

from datetime import UTC, datetime, timedelta

import pytest

from consent import lists
from core import clock
from core.errors import InvalidInput
from tests.consent.conftest import profile

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def _at(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat()


def suppression(sid, list_name, point=None, *, days_ago=1.0, expires_in=None, **extra):
    event = {"type": "suppression", "source": "marketing", "id": sid, "list": list_name,
             "captured_at": _at(days_ago), **extra}  # fmt: skip
    if point:
        event["contact_point"] = point
    if expires_in is not None:
        event["expires_at"] = (NOW + timedelta(days=expires_in)).isoformat()
    return event


def snapshot(sid, days_ago):
    return {"type": "dnc_registry_snapshot", "source": "registry", "id": sid, "registry": "us_national",
            "downloaded_at": _at(days_ago), "listed_numbers": ["4155550100"]}  # fmt: skip


@pytest.fixture
def loaded(db, ingest):
    with clock.frozen(NOW):
        ingest(
            profile("C1", jurisdiction="US-CA", emails=["a@example.com"], phones=["+14155550100"]),
            suppression("s1", "spam_complaint", "a@example.com", days_ago=3),
            suppression("h1", "hard_bounce", "b@example.com", days_ago=10, expires_in=170),
            suppression("h2", "hard_bounce", "c@example.com", days_ago=200, expires_in=-20),
            suppression("n1", "do_not_solicit", source_key="C1"),
            {"type": "dnc_request", "source": "support", "id": "d1", "phone": "+1 415 555 0100",
             "captured_at": _at(2)},
            {"type": "dnc_request", "source": "support", "id": "d2", "phone": "+1 415 555 0199", "channel": "sms",
             "captured_at": _at(1)},
            {"type": "gpc_signal", "source": "product", "id": "g1", "source_key": "C1", "observed_at": _at(4)},
            snapshot("old", 60),
            snapshot("new", 20),
        )  # fmt: skip
    return db


def test_overview_counts(loaded):
    with clock.frozen(NOW), loaded.session() as session:
        found = lists.overview(session)
    by = {summary.name: summary for summary in found.lists}
    assert set(by) == {"spam_complaint", "hard_bounce", "soft_bounce", "do_not_solicit"}
    assert (by["hard_bounce"].total, by["hard_bounce"].live, by["hard_bounce"].expired) == (2, 1, 1)
    assert by["spam_complaint"].blocks == ("email: every purpose",)
    assert by["soft_bounce"].blocks == () and by["soft_bounce"].total == 0
    assert by["do_not_solicit"].blocks == ("every channel: marketing, advertising",)
    assert found.dnc_requests == {"sms": 1, "voice": 1}
    assert found.gpc_signals == 1 and found.gpc_latest == NOW - timedelta(days=4)


def test_registry_freshness_uses_the_policys_maximum_age(loaded):
    with loaded.session() as session:
        (fresh,) = lists.registries(session, now=NOW)
        (warning,) = lists.registries(session, now=NOW + timedelta(days=8))
        (stale,) = lists.registries(session, now=NOW + timedelta(days=11))
    assert (fresh.registry, fresh.channels, fresh.max_age) == ("us_national", ("voice",), "P31D")
    assert [s.id for s in fresh.snapshots] == ["new", "old"]
    assert fresh.newest.age_days == 20.0 and fresh.newest.numbers == 1
    assert fresh.stale_at == NOW + timedelta(days=11)
    assert (fresh.state, warning.state, stale.state) == ("ok", "warning", "stale")


def test_no_snapshot_is_missing(db):
    with db.session() as session:
        (registry,) = lists.registries(session, now=NOW)
    assert registry.state == "missing" and registry.newest is None and registry.days_left is None


def test_entries_newest_first_in_pages(loaded):
    with loaded.session() as session:
        first = lists.entries(session, kind="suppression", list_name="hard_bounce", limit=1, now=NOW)
        second = lists.entries(session, kind="suppression", list_name="hard_bounce", before=first.next_before,
                               limit=1, now=NOW)  # fmt: skip
        dnc = lists.entries(session, kind="dnc_request", now=NOW)
        gpc = lists.entries(session, kind="gpc_signal", now=NOW)
        person = lists.entries(session, kind="suppression", list_name="do_not_solicit", now=NOW)
    assert [(e.contact_point, e.live) for e in first.entries + second.entries] == [
        ("c@example.com", False),
        ("b@example.com", True),
    ]
    assert second.next_before is None
    assert [(e.label, e.contact_point) for e in dnc.entries] == [
        ("sms", "+14155550199"),
        ("voice", "+14155550100"),
    ]
    assert (gpc.entries[0].subject_kind, gpc.entries[0].subject) == ("source_key", "product:C1")
    assert person.entries[0].contact_point is None and person.entries[0].subject == "marketing:C1"


def test_entries_reject_an_unknown_kind(db):
    with db.session() as session, pytest.raises(InvalidInput) as raised:
        lists.entries(session, kind="rumours")
    assert raised.value.field == "kind"
