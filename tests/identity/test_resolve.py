"""Resolution by id, source key, email and phone; bulk resolution equals single resolution."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import InvalidInput, NotFound
from identity.service import contact_points, customers_sharing, get_customer, resolve, resolve_many
from tests.identity.conftest import rec

RECORDS = [
    rec(
        "crm", "C1", first_name="John", last_name="Smith", emails="john@example.com", phones="+1 415 555 0100"
    ),
    rec("billing", "B1", full_name="John Smith", emails="js@acme.com", phones="(415) 555-0100"),
    rec(
        "crm",
        "C2",
        first_name="Anna",
        last_name="Berg",
        emails="anna@example.com",
        phones="020 7946 0018",
        country="GB",
    ),
    rec(
        "crm",
        "C3",
        first_name="Alex",
        last_name="Berg",
        emails="alex@example.com",
        phones="+44 20 7946 0018",
        country="GB",
    ),
    rec("support", "S1", full_name="Zoe Park", emails="zoe@example.com"),
]


@pytest.fixture
def loaded(upsert):
    return upsert(*RECORDS).keys


def test_resolve_each_kind(session, loaded):
    john = loaded["crm", "C1"]
    assert resolve(session, customer_id=john) == [john]
    assert resolve(session, source_key="billing:B1") == [john]
    assert resolve(session, source_key="CRM:C1") == [john]
    assert resolve(session, email=" JS@acme.com") == [john]
    assert resolve(session, phone="415.555.0100") == [john]
    shared = resolve(session, phone="+442079460018")
    assert shared == sorted([loaded["crm", "C2"], loaded["crm", "C3"]])


def test_unknown_is_empty(session, loaded):
    assert resolve(session, customer_id="cus_NOPE") == []
    assert resolve(session, source_key="crm:nope") == []
    assert resolve(session, source_key="no-colon") == []
    assert resolve(session, email="nobody@example.com") == []
    assert resolve(session, phone="+1 303 555 0199") == []


def test_resolve_needs_exactly_one_identifier(session):
    with pytest.raises(InvalidInput):
        resolve(session)
    with pytest.raises(InvalidInput):
        resolve(session, email="a@b.co", phone="4155550100")


def test_malformed_identifiers(session, loaded):
    with pytest.raises(InvalidInput) as err:
        resolve(session, phone="call me")
    assert err.value.field == "phone"
    assert resolve_many(session, kind="phone", values=["call me"]) == {"call me": []}
    with pytest.raises(InvalidInput) as err:
        resolve_many(session, kind="name", values=["x"])
    assert err.value.field == "kind"


def test_contact_points_and_sharing(session, loaded):
    john = loaded["crm", "C1"]
    phones = contact_points(session, customer_id=john, kind="phone")
    assert [(p.value, p.sources) for p in phones] == [("+14155550100", ["billing:B1", "crm:C1"])]
    assert [p.value for p in contact_points(session, customer_id=john, kind="email")] == [
        "john@example.com",
        "js@acme.com",
    ]
    assert customers_sharing(session, kind="phone", value="020 7946 0018", region="GB") == sorted(
        [loaded["crm", "C2"], loaded["crm", "C3"]]
    )
    with pytest.raises(NotFound):
        contact_points(session, customer_id="cus_unknown", kind="email")
    with pytest.raises(NotFound):
        get_customer(session, customer_id="cus_unknown")


def _identifiers():
    known = {
        "customer_id": [],  # filled from the loaded keys inside the test
        "source_key": ["crm:C1", "billing:B1", "crm:C2", "crm:C3", "support:S1", "crm:missing", "nocolon"],
        "email": [
            "john@example.com",
            " JOHN@EXAMPLE.COM ",
            "anna@example.com",
            "zoe@example.com",
            "x@y.zz",
            "bad",
        ],
        "phone": [
            "+14155550100",
            "(415) 555-0100",
            "4155550100",
            "+442079460018",
            "+4402079460018",
            "+13035550199",
            "?",
        ],
    }
    return known


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_bulk_resolution_equals_single_resolution(session, loaded, data):
    pools = _identifiers()
    pools["customer_id"] = [*sorted(set(loaded.values())), "cus_00000000000000000000000000"]
    kind = data.draw(st.sampled_from(sorted(pools)))
    values = data.draw(st.lists(st.sampled_from(pools[kind]) | st.text(max_size=12), max_size=12))
    bulk = resolve_many(session, kind=kind, values=values)
    assert set(bulk) == set(values)
    for value in values:
        try:
            single = resolve(session, **{kind: value})
        except InvalidInput:
            single = []
        assert bulk[value] == single, (kind, value)


def test_bulk_resolution_of_many_values_uses_chunks(session, loaded):
    values = [f"user{i}@example.com" for i in range(45_000)] + ["john@example.com"]
    result = resolve_many(session, kind="email", values=values)
    assert len(result) == len(values)
    assert result["john@example.com"] == [loaded["crm", "C1"]]
    assert sum(1 for v in result.values() if v) == 1


def test_an_identifier_with_a_nul_character_resolves_to_nobody(session, loaded):
    # PostgreSQL refuses NUL in text parameters; such a value can match no stored identifier.
    for kind in ("customer_id", "source_key", "email", "phone"):
        assert resolve_many(session, kind=kind, values=["\x00", "a\x00b"]) == {"\x00": [], "a\x00b": []}
        assert resolve(session, **{kind: "x\x00"}) == []
