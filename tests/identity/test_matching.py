"""Match-and-merge through the service: each rule, households, stability, merges, splits and rebuilds."""

import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from core.audit import SYSTEM
from identity.service import explain, get_customer, rebuild, resolve
from tests.identity.conftest import rec
from tests.identity.synthetic import generate, source_records


def cid(result, system, key):
    return result.keys[system, key]


def test_same_email_in_two_systems_is_one_customer(upsert):
    result = upsert(
        rec("crm", "C1", first_name="John", last_name="Smith", emails="John.Smith@Example.com"),
        rec("marketing", "M1", first_name="Johnny", last_name="Smith", emails=" john.smith@example.COM "),
    )
    assert cid(result, "crm", "C1") == cid(result, "marketing", "M1")
    assert result.inserted == 2 and result.new_customers == 1


def test_same_phone_last_name_and_first_initial(upsert):
    result = upsert(
        rec("crm", "C1", first_name="John", last_name="Smith", phones="(415) 555-0100", country="US"),
        rec("billing", "B1", full_name="Smith, J.", phones="+1 415-555-0100", country="US"),
        rec("support", "S1", full_name="John Smyth", phones="4155550100", country="US"),
    )
    assert cid(result, "crm", "C1") == cid(result, "billing", "B1")
    assert cid(result, "support", "S1") != cid(result, "crm", "C1")


def test_household_phone_never_merges_two_people(upsert, session):
    landline = "+44 20 7946 0018"
    result = upsert(
        rec(
            "crm",
            "C1",
            first_name="Anna",
            last_name="Smith",
            emails="anna@example.com",
            phones=landline,
            country="GB",
        ),
        rec(
            "crm",
            "C2",
            first_name="Alex",
            last_name="Smith",
            emails="alex@example.com",
            phones="020 7946 0018",
            country="GB",
        ),
        rec("billing", "B1", full_name="A Smith", phones=landline, country="GB"),
        rec("support", "S1", full_name="Anna Smith", phones="02079460018", country="GB"),
    )
    anna, alex = cid(result, "crm", "C1"), cid(result, "crm", "C2")
    assert anna != alex
    assert cid(result, "support", "S1") == anna  # the very same name on the landline is the same person
    assert cid(result, "billing", "B1") not in (anna, alex)  # "A Smith" could be either: left alone
    assert sorted(resolve(session, phone="+442079460018")) == sorted(
        {anna, alex, cid(result, "billing", "B1")}
    )


def test_two_email_person_merges_through_phone_and_name(upsert):
    result = upsert(
        rec(
            "crm",
            "C1",
            first_name="Maria",
            last_name="Garcia",
            emails="maria.garcia@gmail.com",
            phones="+1 212 555 0199",
            country="US",
            region="NY",
        ),
        rec(
            "billing",
            "B1",
            full_name="Maria Garcia",
            emails="mgarcia@acme.com",
            phones="(212) 555-0199",
            country="US",
        ),
        rec("product", "P1", full_name="Maria Garcia", emails="MGarcia@acme.com", country="US"),
    )
    assert len(set(result.keys.values())) == 1


def test_same_address_and_full_name(upsert):
    result = upsert(
        rec(
            "crm",
            "C1",
            first_name="Lukas",
            last_name="Müller",
            street="Hauptstr. 5",
            city="Berlin",
            postal_code="10115",
            country="DE",
        ),
        rec(
            "billing",
            "B1",
            full_name="Lukas Muller",
            street="Hauptstr 5",
            city="BERLIN",
            postal_code="10115",
            country="DE",
        ),
        rec(
            "billing",
            "B2",
            full_name="Sophie Muller",
            street="Hauptstr 5",
            city="Berlin",
            postal_code="10115",
            country="DE",
        ),
    )
    assert cid(result, "crm", "C1") == cid(result, "billing", "B1") != cid(result, "billing", "B2")


def test_upsert_is_idempotent_and_changes_make_versions(upsert, session):
    record = rec("crm", "C1", first_name="Ann", last_name="Lee", emails="ann@example.com")
    first = upsert(record)
    again = upsert(record, record)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert again.keys == first.keys
    # A formatting-only difference is the same content.
    same = upsert(rec("crm", "C1", first_name=" Ann ", last_name="Lee", emails="ANN@example.com "))
    assert same.unchanged == 1
    changed = upsert(rec("crm", "C1", first_name="Ann", last_name="Lee", emails="ann@new.example"))
    assert changed.updated == 1 and changed.keys == first.keys
    versions = (
        session.execute(sa.text("SELECT version FROM id_source_record_version ORDER BY version"))
        .scalars()
        .all()
    )
    assert versions == [1, 2]


def test_a_late_older_observation_is_kept_in_history_but_not_applied(upsert, session):
    new = datetime(2024, 5, 1, tzinfo=UTC)
    old = datetime(2024, 1, 1, tzinfo=UTC)
    upsert(rec("crm", "C1", last_name="Lee", emails="new@example.com", observed_at=new))
    late = upsert(rec("crm", "C1", last_name="Lee", emails="old@example.com", observed_at=old))
    assert late.stale == 1 and late.updated == 0
    assert resolve(session, email="old@example.com") == []
    assert upsert(rec("crm", "C1", last_name="Lee", emails="old@example.com", observed_at=old)).unchanged == 1
    customer = get_customer(session, customer_id=late.keys["crm", "C1"])
    assert customer.source_records[0].version == 1  # the late one is version 2 in history, not applied
    newer = upsert(rec("crm", "C1", last_name="Lee", emails="newest@example.com"))
    assert newer.updated == 1
    record = get_customer(session, customer_id=newer.keys["crm", "C1"]).source_records[0]
    assert (record.version, record.observed_at) == (3, new)  # no observation given: the last one stays
    history = session.execute(
        sa.text("SELECT version, applied FROM id_source_record_version ORDER BY version")
    )
    assert [tuple(r) for r in history] == [(1, True), (2, False), (3, True)]


def test_rerun_and_rebuild_change_no_id(upsert, session):
    records = [
        rec("crm", "C1", first_name="John", last_name="Smith", emails="js@example.com", phones="4155550100"),
        rec("billing", "B1", full_name="John Smith", phones="415-555-0100"),
        rec("support", "S1", full_name="Jane Doe", emails="jane@example.com"),
    ]
    first = upsert(*records)
    assert upsert(*records).keys == first.keys
    result = rebuild(session, actor=SYSTEM)
    assert (result.merged, result.new_customers, result.split, result.moved_records) == (0, 0, 0, 0)
    assert upsert(*records).keys == first.keys


def test_older_id_survives_a_merge_and_the_other_redirects(upsert, session):
    a = cid(
        upsert(rec("crm", "C1", first_name="Ann", last_name="Lee", emails="ann@example.com")), "crm", "C1"
    )
    b = cid(
        upsert(
            rec("billing", "B1", full_name="Ann Lee", emails="ann@work.example", phones="+1 303 555 0142")
        ),
        "billing",
        "B1",
    )
    assert a != b
    # A record that carries both emails joins the two customers: the older id (a) survives.
    bridge = upsert(rec("support", "S1", full_name="Ann Lee", emails=("ann@example.com", "ann@work.example")))
    assert bridge.merged == 1
    assert set(bridge.keys.values()) == {a}
    assert resolve(session, customer_id=b) == [a]
    customer = get_customer(session, customer_id=b)
    assert customer.id == a and customer.requested_id == b and customer.merged_ids == [b]
    assert {s.source_key for s in customer.source_records} == {"C1", "B1", "S1"}


def test_redirect_chains_collapse(upsert, session):
    ids = [
        cid(upsert(rec("crm", f"C{i}", last_name="Roe", emails=f"r{i}@example.com")), "crm", f"C{i}")
        for i in range(3)
    ]
    upsert(rec("support", "S1", last_name="Roe", emails=("r1@example.com", "r2@example.com")))
    assert resolve(session, customer_id=ids[2]) == [ids[1]]
    upsert(rec("support", "S2", last_name="Roe", emails=("r0@example.com", "r1@example.com")))
    assert {resolve(session, customer_id=i)[0] for i in ids} == {ids[0]}
    hops = session.execute(sa.text("SELECT from_id, to_id FROM id_redirect ORDER BY from_id")).all()
    assert {to for _, to in hops} == {ids[0]}  # one hop from every merged id


def test_a_record_that_stops_matching_splits_off_with_a_new_id(upsert, session):
    first = upsert(
        rec("crm", "C1", last_name="Kim", emails="kim@example.com"),
        rec("billing", "B1", last_name="Kim", emails="kim@example.com"),
        rec("support", "S1", last_name="Kim", emails="kim@example.com"),
    )
    survivor = cid(first, "crm", "C1")
    moved = upsert(rec("crm", "C1", last_name="Kim", emails="other@example.com"))
    assert moved.split == 1 and moved.new_customers == 1
    assert cid(moved, "crm", "C1") != survivor
    assert set(resolve(session, email="kim@example.com")) == {survivor}  # the majority keeps the id
    assert resolve(session, customer_id=survivor) == [survivor]


def test_explain_gives_the_chain_of_links(upsert, session):
    upsert(
        rec("crm", "C1", first_name="Ivy", last_name="Ng", emails="ivy@example.com"),
        rec(
            "marketing",
            "M1",
            first_name="Ivy",
            last_name="Ng",
            emails="ivy@example.com",
            phones="+1 512 555 0111",
        ),
        rec("product", "P1", full_name="Ivy Ng", phones="512-555-0111", country="US"),
        rec("support", "S1", full_name="Other Person", emails="o@example.com"),
    )
    why = explain(session, a="crm:C1", b="product:P1")
    assert why.same_customer
    assert [link.rule for link in why.path] == ["same_email", "same_phone_and_last_name_and_first_initial"]
    assert not explain(session, a="crm:C1", b="support:S1").same_customer


def test_jurisdiction_explicit_wins_else_country_region(upsert, session):
    result = upsert(
        rec("crm", "C1", last_name="Lee", emails="lee@example.com", country="US", region="ca"),
        rec("product", "P1", last_name="Lee", emails="lee@example.com", country="US"),
        rec("crm", "C2", last_name="Roy", emails="roy@example.com", country="CA", region="ON"),
        rec("crm", "C3", last_name="Hahn", emails="hahn@example.com", country="DE", region="BY"),
        rec(
            "crm",
            "C4",
            last_name="Ito",
            emails="ito@example.com",
            country="US",
            jurisdiction="us-ny",
            observed_at=datetime(2020, 1, 1, tzinfo=UTC),
        ),
        rec(
            "support",
            "S4",
            last_name="Ito",
            emails="ito@example.com",
            country="US",
            region="CA",
            observed_at=datetime(2024, 1, 1, tzinfo=UTC),
        ),
    )
    lee = get_customer(session, customer_id=cid(result, "crm", "C1"))
    assert (lee.jurisdiction, lee.jurisdiction_basis) == ("US-CA", "country_region")
    assert lee.jurisdiction_from == "crm:C1"
    assert get_customer(session, customer_id=cid(result, "crm", "C2")).jurisdiction == "CA-ON"
    assert get_customer(session, customer_id=cid(result, "crm", "C3")).jurisdiction == "DE"
    ito = get_customer(session, customer_id=cid(result, "crm", "C4"))
    assert (ito.jurisdiction, ito.jurisdiction_basis, ito.jurisdiction_from) == (
        "US-NY",
        "explicit",
        "crm:C4",
    )


def test_audit_entry_per_upsert(upsert, session):
    upsert(rec("crm", "C1", last_name="Lee"))
    actions = session.execute(sa.text("SELECT action FROM audit_log")).scalars().all()
    assert actions == ["identity.upsert"]


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_batches_in_any_order_equal_a_full_rebuild(upsert, session, seed):
    # Households, two-email people and format noise, loaded in shuffled batches of random size.
    records = source_records(generate(120, seed=seed))
    rng = random.Random(seed)
    rng.shuffle(records)
    start = 0
    while start < len(records):
        size = rng.randint(1, 60)
        upsert(*records[start : start + size])
        start += size
    # Then some records change their contact points (people split off, others join).
    changed = [
        replace(r, emails=(f"moved{i}@example.com",), phones=r.phones[:0] if i % 2 else r.phones)
        for i, r in enumerate(rng.sample(records, 25))
    ]
    upsert(*changed[:12])
    upsert(*changed[12:])
    result = rebuild(session, actor=SYSTEM)
    assert (result.merged, result.split, result.new_customers, result.moved_records) == (0, 0, 0, 0)
