"""One search box: recognising the identifier, finding customers (several for a household phone)."""

import pytest
import sqlalchemy as sa

from core.audit import SYSTEM
from core.errors import InvalidInput, NotFound
from identity.service import active_customers_query, ensure_customer, find_customers, recognise, resolve
from tests.identity.conftest import rec


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("ann@example.com", "email"),
        ("mailto:Ann@Example.com", "email"),
        ("crm:C0001234", "source_key"),
        ("product:4bc42628-a785-43e0", "source_key"),
        ("+44 20 7946 0018", "phone"),
        ("(415) 555-0142", "phone"),
        ("cus_01M8444KCV26FCCFQTFDTHYMXN", "customer_id"),
        ("MDM-77", "customer_id"),
        ("12345", "customer_id"),  # too few digits for a phone number
    ],
)
def test_recognise(query, kind):
    assert recognise(query) == kind


@pytest.fixture
def people(upsert, session):
    upsert(
        rec("crm", "C1", first_name="Ann", last_name="Lee", emails="ann@example.com", phones="+1 415 555 0100",
            country="US", region="CA"),
        rec("billing", "B1", first_name="Ann", last_name="Lee", emails="ANN@example.com", country="US"),
        rec("support", "S1", first_name="Bob", last_name="Ray", emails="bob@example.com", phones="+1 212 555 0199",
            country="US"),
        rec("support", "S2", first_name="Bea", last_name="Ray", emails="bea@example.com", phones="+1 212 555 0199",
            country="US"),
    )  # fmt: skip
    return {
        name: resolve(session, source_key=key)[0]
        for name, key in (("ann", "crm:C1"), ("bob", "support:S1"), ("bea", "support:S2"))
    }


def test_find_by_each_kind(session, people):
    for query in (
        "ann@example.com",
        " Ann@Example.COM ",
        "crm:C1",
        "billing:B1",
        "(415) 555-0100",
        people["ann"],
    ):
        found = find_customers(session, query=query)
        assert [c.customer_id for c in found.customers] == [people["ann"]], query
    found = find_customers(session, query="billing:B1")
    assert found.kind == "source_key" and found.kind_label == "source key"
    ann = found.customers[0]
    assert (ann.first_name, ann.last_name, ann.systems, ann.records) == ("Ann", "Lee", ("billing", "crm"), 2)


def test_a_household_phone_finds_both_people(session, people):
    found = find_customers(session, query="212-555-0199")
    assert found.kind == "phone"
    assert sorted(c.customer_id for c in found.customers) == sorted([people["bob"], people["bea"]])
    assert {c.first_name for c in found.customers} == {"Bob", "Bea"}


@pytest.mark.parametrize(
    ("query", "error", "words"),
    [
        ("", InvalidInput, "type a customer id"),
        ("nobody@example.com", NotFound, "no customer with email"),
        ("crm:C404", NotFound, "write it as system:key"),
        ("+44 20 7946 0000", NotFound, "no customer with phone"),
        ("cus_nobody", NotFound, "no customer with customer id"),
        ("broken@", InvalidInput, "not a valid email"),
        ("x" * 400, InvalidInput, "at most"),
    ],
)
def test_errors_name_the_search_field(session, people, query, error, words):
    with pytest.raises(error) as raised:
        find_customers(session, query=query)
    assert raised.value.field == "q"
    assert words in raised.value.message


def test_all_digit_mdm_ids_are_found_as_customer_ids(session, upsert):
    ensure_customer(session, customer_id="90000001", actor=SYSTEM)
    found = find_customers(session, query="90000001")
    assert found.kind == "customer_id" and [c.customer_id for c in found.customers] == ["90000001"]


def test_active_customers_query_gives_survivors_with_jurisdiction(session, people):
    rows = session.execute(active_customers_query()).all()
    assert {r.customer_id for r in rows} == set(people.values())
    assert dict(rows)[people["ann"]] == "US-CA"
    assert set(active_customers_query().subquery().c.keys()) == {"customer_id", "jurisdiction"}
    assert isinstance(active_customers_query(), sa.Select)
