"""Broad queries take the bounded-cost path (capped counts, name matches first, boost walk, sampled
facets); here the thresholds are lowered so a small catalogue exercises it on both databases."""

import pytest

from catalog import ColumnSpec, register_dataset
from catalog.certification import certify
from catalog.search import query
from catalog.search.service import search
from core.audit import SYSTEM
from tests.catalog.conftest import STEWARD


@pytest.fixture
def broad(db, monkeypatch):
    monkeypatch.setattr(query, "COUNT_CAP", 12)
    monkeypatch.setattr(query, "RANK_ALL", 4)
    monkeypatch.setattr(query, "FACET_EXACT", 5)
    monkeypatch.setattr(query, "SAMPLE_DOCS", 8)
    named, other = [], []
    with db.session(write=True) as s:
        for i in range(30):
            about = i % 5 == 0  # every fifth dataset is about orders; all have an order column
            name = f"orders_{i:02d}" if about else f"table_{i:02d}"
            ds = register_dataset(
                s,
                namespace="sqlite:///shop.db",
                name=name,
                source_system="shop" if i % 2 else "web",
                columns=[ColumnSpec("order_id", "TEXT"), ColumnSpec(f"col_{i}", "TEXT")],
                actor=SYSTEM,
            ).id
            (named if about else other).append(ds)
        certify(s, dataset_id=other[3], note="reconciled", actor=STEWARD)
        certify(s, dataset_id=named[2], note="reconciled", actor=STEWARD)
    return named, other


def test_broad_query_puts_name_matches_first_and_estimates(db, broad):
    named, other = broad
    with db.session() as s:
        first = search(s, q="order", limit=10)
        assert not first.total_exact and first.total >= 12
        assert not first.facets_exhaustive
        ids = [h.id for h in first.hits]
        assert ids[: len(named)][0] == named[2]  # certified name match first
        assert set(ids[: len(named)]) == set(named)
        assert ids[len(named)] == other[3]  # then the rest by boost: the certified one leads
        pages = [h.id for off in (0, 10, 20) for h in search(s, q="order", limit=10, offset=off).hits]
        assert len(pages) == len(set(pages)) == 30


def test_broad_query_with_a_filter_stays_correct(db, broad):
    with db.session() as s:
        web = search(s, q="order", filters={"source_system": ["web"]}, limit=20)
        assert web.total >= 13 and not web.total_exact  # over the cap of 12: an estimate
        narrow = search(s, q="order", filters={"source_system": ["web"], "certification": ["certified"]})
        assert narrow.total == 2 and narrow.total_exact and narrow.facets_exhaustive  # i = 4 and 10
        assert {h.source_system for h in web.hits} == {"web"}
        assert len({h.id for h in web.hits}) == 15
        browse = search(s, q="")
        counts = {v.value: v.count for v in browse.facets["source_system"]}
        assert not browse.facets_exhaustive and set(counts) <= {"web", "shop"} and sum(counts.values()) > 0
