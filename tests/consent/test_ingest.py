"""Ingestion on both databases: idempotency, conflicts, all-or-nothing batches and clear errors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consent import eligibility
from consent.models import ConsentRecordRow, DecisionRow, RegistryNumberRow
from core import audit
from core.errors import Conflict, InvalidInput
from identity import service as identity
from tests.consent.conftest import consent, profile


def count(db, model) -> int:
    with db.session() as session:
        return session.execute(sa.select(sa.func.count()).select_from(model.__table__)).scalar_one()


def customer_of(db, key: str) -> str:
    with db.session() as session:
        return identity.resolve(session, source_key=key)[0]


def check(db, value, channel="email", purpose="marketing", kind="customer", **kwargs):
    with db.session() as session:
        return eligibility.check(session, kind=kind, value=value, channel=channel, purpose=purpose, **kwargs)


def test_batch_is_stored_once_and_counted(db, ingest):
    batch = [
        profile("C1", emails=["ann@example.com"]),
        consent("p1", "C1"),
        consent("p2", "C1", purpose="marketing.offers"),
    ]
    first = ingest(*batch)
    assert first.stored == {"profile": 1, "consent": 2}
    assert first.customers_recomputed == 1 and first.decisions_written > 0
    again = ingest(*batch)
    assert sum(again.stored.values()) == 0
    assert again.duplicates == {"profile": 1, "consent": 2}
    assert count(db, ConsentRecordRow) == 2
    with db.session() as session:
        actions = [e.action for e in audit.recent(session, limit=10)]
    assert actions.count("consent.ingest") == 2


def test_same_id_with_different_content_is_a_conflict_and_stores_nothing(db, ingest):
    ingest(profile("C1", emails=["ann@example.com"]), consent("p1", "C1"))
    with pytest.raises(Conflict) as err:
        ingest(consent("p9", "C1"), consent("p1", "C1", status="opt_out"))
    assert err.value.field == "events[1].id"
    assert count(db, ConsentRecordRow) == 1


def test_conflict_inside_one_batch(db, ingest):
    with pytest.raises(Conflict) as err:
        ingest(consent("p1", "C1"), consent("p1", "C1", purpose="marketing.offers"))
    assert err.value.field == "events[1].id"


def test_received_at_is_not_part_of_a_records_identity(db, ingest):
    ingest(consent("p1", "C1", received_at="2025-03-02T00:00:00Z"))
    assert ingest(consent("p1", "C1", received_at="2025-03-05T00:00:00Z")).duplicates == {"consent": 1}


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        ({"channel": "fax"}, "events[1].channel", "unknown channel 'fax'"),
        ({"purpose": "marketing.spam"}, "events[1].purpose", "unknown purpose"),
        ({"status": "maybe"}, "events[1].status", "unknown status"),
        ({"captured_at": None}, "events[1].captured_at", "is required"),
        ({"captured_at": "yesterday"}, "events[1].captured_at", "ISO 8601"),
        ({"contact_point": "not-an-address"}, "events[1].contact_point", "not a valid email"),
        ({"channel": "sms", "contact_point": "12"}, "events[1].contact_point", "not a valid phone"),
        ({"colour": "blue"}, "events[1].colour", "not a field"),
        ({"type": "preference"}, "events[1].type", "unknown event type"),
        ({"expires_at": "2025-01-01T00:00:00Z"}, "events[1].expires_at", "after captured_at"),
        ({"source": "Bad System!"}, "events[1].source", "lower-case name"),
    ],
)
def test_bad_event_names_index_and_field_and_nothing_is_stored(db, ingest, bad, field, words):
    good = profile("C1", emails=["ann@example.com"])
    broken = {**consent("p1", "C1"), **bad}
    with pytest.raises(InvalidInput) as err:
        ingest(good, broken)
    assert err.value.field == field
    assert words in err.value.message
    assert count(db, ConsentRecordRow) == 0
    with db.session() as session:
        assert identity.resolve(session, source_key="crm:C1") == []  # the good profile was not kept either


def test_every_event_type_is_accepted(db, ingest):
    result = ingest(
        profile("S1", source="support", jurisdiction="US-NY", emails=["bo@example.com"], phones=["(415) 555-0100"]),
        {"type": "contact_point", "source": "support", "source_key": "S1", "kind": "email", "value": "Bo.Work@Example.com"},
        consent("m1", "S1", source="support", channel="voice", status="opt_in"),
        {"type": "relationship", "source": "support", "id": "t1", "source_key": "S1", "kind": "inquiry",
         "occurred_at": "2025-03-01T00:00:00Z"},
        {"type": "gpc_signal", "source": "support", "id": "g1", "source_key": "S1", "observed_at": "2025-03-01T00:00:00Z"},
        {"type": "dnc_registry_snapshot", "source": "registry", "registry": "us_national",
         "downloaded_at": "2025-03-01T00:00:00Z", "listed_numbers": ["4155550100", "+1 212 555 0000"]},
        {"type": "dnc_request", "source": "support", "id": "d1", "phone": "+1 415 555 0100", "captured_at": "2025-03-01T00:00:00Z"},
        {"type": "suppression", "source": "support", "id": "s1", "list": "hard_bounce", "contact_point": "BO@example.com",
         "captured_at": "2025-03-01T00:00:00Z", "expires_at": "2099-09-01T00:00:00Z"},
    )  # fmt: skip
    assert result.stored == {
        "profile": 1, "contact_point": 1, "consent": 1, "relationship": 1, "gpc_signal": 1,
        "dnc_registry_snapshot": 1, "dnc_request": 1, "suppression": 1,
    }  # fmt: skip
    assert count(db, RegistryNumberRow) == 2
    cid = customer_of(db, "support:S1")
    with db.session() as session:
        points = {p.value for p in identity.get_customer(session, customer_id=cid).contact_points}
    assert {"bo@example.com", "bo.work@example.com", "+14155550100"} <= points
    assert check(db, cid, channel="voice").reason == "internal_dnc"
    assert check(db, "bo@example.com", kind="email", purpose="transactional").reason == "suppressed"
    assert check(db, "bo.work@example.com", kind="email").reason == "nonrestrictive_default"


def test_import_never_reconsents(db, ingest):
    ingest(
        profile("C1", emails=["ann@example.com"]),
        consent("p1", "C1", status="opt_out", captured_at="2025-01-01T00:00:00Z"),
    )
    ingest(consent("p2", "C1", method="import", captured_at="2025-02-01T00:00:00Z"))
    assert check(db, customer_of(db, "crm:C1")).reason == "opt_out"
    ingest(consent("p3", "C1", method="double_opt_in_confirmed", captured_at="2025-03-01T00:00:00Z"))
    assert check(db, customer_of(db, "crm:C1")).reason == "explicit_opt_in"


@pytest.mark.parametrize("order", ["opt_out_first", "opt_in_first"])
def test_out_of_order_arrival_gives_the_same_stored_decision(db, ingest, order):
    early_opt_in = consent("p1", "C1", captured_at="2025-01-01T00:00:00Z", received_at="2025-02-10T00:00:00Z")
    late_opt_out = consent("m1", "C1", source="crm", status="opt_out", captured_at="2025-01-05T00:00:00Z")
    ingest(profile("C1", emails=["ann@example.com"]))
    for event in [late_opt_out, early_opt_in] if order == "opt_out_first" else [early_opt_in, late_opt_out]:
        ingest(event)
    assert check(db, customer_of(db, "crm:C1")).reason == "opt_out"


def test_new_registry_snapshot_recomputes_voice_for_everyone(db, ingest):
    ingest(
        profile("U1", jurisdiction="US-TX", phones=["+14155550100"]),
        profile("U2", jurisdiction="US-TX", phones=["+14155550111"], first_name="Zed"),
    )
    assert check(db, customer_of(db, "crm:U2"), channel="voice").reason == "registry_stale"
    ingest({"type": "dnc_registry_snapshot", "source": "registry", "registry": "us_national",
            "downloaded_at": "2099-01-01T00:00:00Z", "listed_numbers": ["+14155550100"]})  # fmt: skip
    # Captured in the future: nothing changes yet, and the decisions say when they will.
    row = check(db, customer_of(db, "crm:U2"), channel="voice")
    assert row.reason == "registry_stale" and row.valid_until.year == 2099
    with db.session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(DecisionRow.__table__)).scalar_one() > 0
