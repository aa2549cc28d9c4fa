"""Search documents: what the index knows about each dataset, built from the catalogue tables."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session

from catalog.models import CatalogColumn, CatalogDataset, CatalogOwner, CatalogTag
from catalog.models_governance import CatalogColumnClass, CatalogGlossaryTerm, CatalogLink, CatalogMetric
from catalog.models_ops import CatalogUsageDaily
from catalog.search.text import prepare, words
from core import clock

TEXT_FIELDS = ("name", "title", "description", "columns", "tags", "terms", "owners")
NAME_FIELDS = ("name", "title", "tags", "terms")  # a match here means the dataset is about the word
FACETS = ("source_system", "classification", "certification", "owner", "tag")
# Dropped datasets carry this (internal) facet, so leaving them out is a set lookup like any filter.
DROPPED = ("status", ["dropped"])
POPULARITY_DAYS = 90
CHUNK = 500


@dataclass
class Doc:
    """One dataset as the index sees it."""

    dataset_id: str
    name: str = ""
    title: str = ""
    description: str = ""
    columns: str = ""
    tags: str = ""
    terms: str = ""
    owners: str = ""
    source_system: str = ""
    certification: str = "draft"
    active: bool = True
    stale: bool = False
    popularity: float = 0.0
    boost: float = 1.0
    facets: set[tuple[str, str]] = field(default_factory=set)

    def row(self) -> dict:
        """The doc as a catalog_search_doc row (without id)."""
        keys = (*TEXT_FIELDS, "source_system", "certification", "active", "stale", "popularity", "boost")
        row = {"dataset_id": self.dataset_id, **{k: getattr(self, k) for k in keys}}
        row["facet_values"] = "\n".join(f"{f}\t{_one_line(v)}" for f, v in sorted(self.facets))
        return row

    def vocabulary(self) -> set[str]:
        """Distinct words of the doc, for the suggestion vocabulary."""
        return vocabulary_of(self.row())


def _one_line(value: str) -> str:
    return " ".join(value.split())[:200]


def parse_facet_values(text: str | None) -> list[tuple[str, str]]:
    """The (facet, value) pairs stored in a doc's facet_values."""
    return [tuple(line.split("\t", 1)) for line in (text or "").split("\n") if "\t" in line]


def vocabulary_of(row: dict) -> set[str]:
    """Distinct words of a doc row's text fields."""
    out: set[str] = set()
    for f in TEXT_FIELDS:
        out.update(w for w in (row.get(f) or "").split() if len(w) >= 2)
    return out


FRESH_WINDOW = timedelta(days=30)


def is_fresh(last_updated_at, expected_update_seconds: int | None, stale: bool, now=None) -> bool:
    """Written within its expected interval (30 days when none is set) and not flagged stale."""
    if stale or last_updated_at is None:
        return False
    window = timedelta(seconds=expected_update_seconds) if expected_update_seconds else FRESH_WINDOW
    return last_updated_at >= (now or clock.now()) - window


def boost(
    *, certification: str, expired: bool, stale: bool, fresh: bool, popularity: float, active: bool
) -> float:
    """Ranking multiplier: certified, fresh and much-used datasets first; deprecated and dropped last."""
    factor = {"certified": 1.0 if expired else 2.0, "deprecated": 0.3}.get(certification, 1.0)
    if stale:
        factor *= 0.7
    elif fresh:
        factor *= 1.15
    # Usage matters, but trust matters more: 120 uses a quarter (x1.7) weigh less than certification (x2).
    factor *= 1.0 + 0.1 * math.log2(1.0 + max(popularity, 0.0))
    return round(factor if active else factor * 0.1, 6)


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i : i + CHUNK])


def popularity(session: Session, ids: Sequence[str]) -> dict[str, float]:
    """Views plus three times queries over the last 90 days, per dataset."""
    since = (clock.now() - timedelta(days=POPULARITY_DAYS)).date()
    t = CatalogUsageDaily.__table__.c
    out: dict[str, float] = {}
    for chunk in _chunks(ids):
        query = (
            sa.select(t.dataset_id, sa.func.sum(t.views + 3 * t.queries))
            .where(t.dataset_id.in_(chunk), t.day >= since)
            .group_by(t.dataset_id)
        )
        out.update({k: float(v or 0) for k, v in session.execute(query)})
    return out


def build_docs(session: Session, ids: Sequence[str]) -> dict[str, Doc]:
    """Documents for the given datasets (unknown ids are skipped)."""
    docs: dict[str, Doc] = {}
    for chunk in _chunks(list(ids)):
        docs.update(_build_chunk(session, chunk))
    return docs


def _rows(session: Session, table, column: str, chunk: list[str], *cols):
    t = table.__table__
    return session.execute(sa.select(*(t.c[c] for c in cols)).where(t.c[column].in_(chunk))).all()


def _build_chunk(session: Session, chunk: list[str]) -> dict[str, Doc]:
    datasets = session.execute(sa.select(CatalogDataset.__table__).where(CatalogDataset.id.in_(chunk))).all()
    text: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    facets: dict[str, set] = defaultdict(set)
    for ds_id, name, description in _rows(
        session, CatalogColumn, "dataset_id", chunk, "dataset_id", "name", "description"
    ):
        text[ds_id]["columns"].extend((name, description or ""))
    for ds_id, tag in _rows(session, CatalogTag, "dataset_id", chunk, "dataset_id", "tag"):
        text[ds_id]["tags"].append(tag)
        facets[ds_id].add(("tag", tag))
    for ds_id, owner in _rows(session, CatalogOwner, "dataset_id", chunk, "dataset_id", "owner"):
        text[ds_id]["owners"].append(owner)
        facets[ds_id].add(("owner", owner))
    for ds_id, pii_class, status in _rows(
        session, CatalogColumnClass, "dataset_id", chunk, "dataset_id", "pii_class", "status"
    ):
        if status != "rejected":
            text[ds_id]["tags"].append(pii_class.replace("_", " "))
            facets[ds_id].add(("classification", pii_class))
    _linked_terms(session, datasets, text)
    pop = popularity(session, chunk)
    docs = {}
    for ds in datasets:
        t = text[ds.id]
        # An expired certification is its own facet value: the dataset is flagged until recertified.
        cert = "expired" if ds.certification == "certified" and ds.certification_expired else ds.certification
        doc = Doc(
            dataset_id=ds.id,
            name=prepare(ds.name),
            title=prepare(" ".join(filter(None, (ds.display_name, ds.source_system, ds.kind)))),
            description=prepare(ds.description),
            columns=prepare(" ".join(t["columns"])),
            tags=prepare(" ".join(t["tags"])),
            terms=prepare(" ".join(t["terms"])),
            owners=prepare(" ".join(t["owners"])),
            source_system=ds.source_system or "",
            certification=cert,
            active=ds.status == "active",
            stale=ds.stale,
            popularity=pop.get(ds.id, 0.0),
            facets=facets[ds.id] | {("certification", cert)},
        )
        if ds.source_system:
            doc.facets.add(("source_system", ds.source_system))
        if not doc.active:
            doc.facets.add((DROPPED[0], DROPPED[1][0]))
        doc.boost = boost(
            certification=ds.certification,
            expired=ds.certification_expired,
            stale=ds.stale,
            fresh=is_fresh(ds.last_updated_at, ds.expected_update_seconds, ds.stale),
            popularity=doc.popularity,
            active=doc.active,
        )
        docs[ds.id] = doc
    return docs


def _linked_terms(session: Session, datasets, text) -> None:
    """Names of glossary terms and metrics linked to each dataset (by namespace or by source system)."""
    keys = {}
    for ds in datasets:
        keys[(ds.namespace, ds.name)] = ds.id
        if ds.source_system:
            keys[(f"source:{ds.source_system}", ds.name)] = ds.id
    if not keys:
        return
    link = CatalogLink.__table__.c
    rows = session.execute(
        sa.select(link.subject_type, link.subject_id, link.ref_namespace, link.ref_name).where(
            sa.tuple_(link.ref_namespace, link.ref_name).in_(list(keys))
        )
    ).all()
    term_ids = {r.subject_id for r in rows if r.subject_type == "term"}
    metric_ids = {r.subject_id for r in rows if r.subject_type == "metric"}
    names: dict[str, str] = {}
    if term_ids:
        t = CatalogGlossaryTerm.__table__.c
        for tid, name, synonyms in session.execute(
            sa.select(t.id, t.name, t.synonyms).where(t.id.in_(term_ids))
        ):
            names[tid] = " ".join([name, *(synonyms or [])])
    if metric_ids:
        m = CatalogMetric.__table__.c
        names.update(dict(session.execute(sa.select(m.id, m.name).where(m.id.in_(metric_ids))).all()))
    for r in rows:
        if r.subject_id in names:
            text[keys[(r.ref_namespace, r.ref_name)]]["terms"].append(names[r.subject_id])


__all__ = ["FACETS", "TEXT_FIELDS", "Doc", "boost", "build_docs", "popularity", "vocabulary_of", "words"]
