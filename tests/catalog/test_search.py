"""Search: ranking, facets, typo tolerance, hostile input, and a rebuildable index, on both databases."""

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import ColumnSpec, record_update, register_dataset
from catalog.certification import certify, deprecate
from catalog.classification.service import decide
from catalog.curation import add_owner, set_tags, update_dataset
from catalog.search.index import rebuild
from catalog.search.service import search, suggest
from catalog.usage import UsageEvent, record_usage, record_view
from core import clock
from core.audit import SYSTEM
from core.errors import InvalidInput
from tests.catalog.conftest import STEWARD

T0 = datetime(2026, 3, 1, tzinfo=UTC)
HOSTILE = [
    '"',
    "'",
    '""',
    "NEAR(a b)",
    "a NEAR b",
    "*",
    "-",
    "-customers",
    "OR",
    "a OR",
    "AND NOT",
    "custom*",
    "col:name",
    "(",
    ")",
    "^",
    "\\",
    "🙂 customers 🚀",
    "Müller straße",
    "日本語",
    "customers' OR 1=1 --",
    "a & b | !c",
    "<->",
    ":*",
    "'':*",
    "\x00",
    " " * 50,
    "x" * 500,
]


def _make(s, name, *, desc="", columns=("id",), source="crm"):
    return register_dataset(
        s,
        namespace=f"sqlite:///{source}.db",
        name=name,
        description=desc,
        source_system=source,
        columns=[ColumnSpec(c, "TEXT") for c in columns],
        actor=SYSTEM,
    ).id


@pytest.fixture
def corpus(db):
    with db.session(write=True) as s:
        ids = {
            "plain": _make(s, "customer_orders_raw", desc="Raw customer orders export"),
            "certified": _make(s, "customer_orders", desc="Customer orders, cleaned", source="billing"),
            "popular": _make(s, "customer_orders_daily", desc="Daily customer orders", source="billing"),
            "fresh": _make(s, "customer_orders_live", desc="Customer orders streamed", source="product"),
            "deprecated": _make(s, "customer_orders_old", desc="Old customer orders"),
            "contacts": _make(s, "contacts", desc="CRM contacts", columns=("email", "phone", "firstName")),
        }
        certify(s, dataset_id=ids["certified"], note="reconciled", actor=STEWARD)
        deprecate(
            s, dataset_id=ids["deprecated"], note="replaced", replacement_id=ids["certified"], actor=STEWARD
        )
        record_usage(
            s,
            events=[UsageEvent("sqlite:///billing.db", "customer_orders_daily", count=40, reader="bi")],
            actor=SYSTEM,
        )
        record_update(s, namespace="sqlite:///product.db", name="customer_orders_live", at=clock.now())
        set_tags(s, dataset_id=ids["contacts"], tags=["Customer 360", "gdpr"], actor=STEWARD)
        add_owner(s, dataset_id=ids["contacts"], owner="team:crm", role="steward", actor=STEWARD)
        decide(
            s,
            dataset_id=ids["contacts"],
            column="email",
            pii_class="email",
            decision="confirm",
            actor=STEWARD,
        )
    return ids


def test_certified_fresh_and_popular_rank_first_and_deprecated_last(db, corpus):
    with db.session() as s:
        result = search(s, q="customer orders")
    order = [h.id for h in result.hits]
    assert result.mode == "all" and result.total == 5
    assert order[0] == corpus["certified"]
    assert order.index(corpus["popular"]) < order.index(corpus["plain"])
    assert order.index(corpus["fresh"]) < order.index(corpus["plain"])
    assert order[-1] == corpus["deprecated"]


def test_facets_count_and_filter(db, corpus):
    with db.session() as s:
        result = search(s, q="orders")
        by_source = {v.value: v.count for v in result.facets["source_system"]}
        assert by_source == {"crm": 2, "billing": 2, "product": 1}
        assert {v.value: v.count for v in result.facets["certification"]} == {
            "certified": 1,
            "deprecated": 1,
            "draft": 3,
        }
        billing = search(s, q="orders", filters={"source_system": ["billing"]})
        assert {h.id for h in billing.hits} == {corpus["certified"], corpus["popular"]}
        pii = search(s, q="", filters={"classification": ["email"], "tag": ["customer-360"]})
        assert [h.id for h in pii.hits] == [corpus["contacts"]] and pii.mode == "browse"
        owned = search(s, q="", filters={"owner": ["team:crm"]})
        assert [h.id for h in owned.hits] == [corpus["contacts"]]
        with pytest.raises(InvalidInput) as err:
            search(s, q="x", filters={"colour": ["red"]})
        assert err.value.field == "filters.colour"


def test_searches_columns_tags_owners_descriptions_and_typos(db, corpus):
    with db.session() as s:
        assert [h.id for h in search(s, q="first name").hits] == [corpus["contacts"]]  # camelCase column
        assert [h.id for h in search(s, q="gdpr").hits] == [corpus["contacts"]]
        assert search(s, q="crm team").hits[0].id == corpus["contacts"]
        assert search(s, q="streamed").hits[0].id == corpus["fresh"]
        typo = search(s, q="custmer ordrs")
        assert typo.mode == "corrected" and typo.corrected_query == "customer orders" and typo.total == 5
        assert search(s, q="cont").hits[0].id == corpus["contacts"]  # prefix
        assert suggest(s, q="custo")[0].term == "customer"
        assert "contacts" in [x.term for x in suggest(s, q="contcts")]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_search_text_never_errors(db, corpus, text):
    with db.session() as s:
        result = search(s, q=text)
        suggest(s, q=text)
    assert result.total >= 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_any_text_is_safe(db, corpus, text):
    with db.session() as s:
        assert search(s, q=text, with_facets=False).total >= 0


def test_edits_views_and_rebuild_keep_the_index_in_step(db, corpus):
    with db.session(write=True) as s:
        update_dataset(
            s, dataset_id=corpus["plain"], description="Unreconciled extract from the webshop", actor=STEWARD
        )
        assert search(s, q="webshop").hits[0].id == corpus["plain"]
        assert search(s, q="export").total == 0
        for _ in range(3):
            record_view(s, dataset_id=corpus["plain"], reader="ana")
        before = [(h.id, h.score) for h in search(s, q="customer orders").hits]
        assert rebuild(s) == 6
        s.commit()
        after = [(h.id, h.score) for h in search(s, q="customer orders").hits]
        assert before == after
        assert search(s, q="webshop").total == 1


def test_dropped_datasets_are_hidden_unless_asked(db, corpus):
    from catalog import mark_dropped

    with db.session(write=True) as s:
        mark_dropped(s, namespace="sqlite:///crm.db", name="contacts", at=T0, actor=SYSTEM)
        assert search(s, q="contacts").total == 0
        assert search(s, q="contacts", include_dropped=True).hits[0].status == "dropped"
