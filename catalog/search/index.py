"""Keeping the search index in step with the catalogue, and rebuilding it from scratch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session

from catalog.models import CatalogDataset
from catalog.models_search import CatalogSearchDoc, CatalogSearchFacet
from catalog.search import backend_postgres, backend_sqlite, vocabulary
from catalog.search.documents import TEXT_FIELDS, Doc, build_docs, vocabulary_of
from core import audit
from core.audit import Actor

DOC = CatalogSearchDoc.__table__
FACET = CatalogSearchFacet.__table__
REBUILD_BATCH = 2000


def backend(session: Session):
    """The search backend module for the session's database."""
    return backend_sqlite if session.get_bind().dialect.name == "sqlite" else backend_postgres


def reindex(session: Session, dataset_ids: Iterable[str]) -> None:
    """Rewrite the search documents of these datasets within the caller's transaction."""
    ids = sorted(set(dataset_ids))
    if not ids:
        return
    session.flush()
    docs = build_docs(session, ids)
    old = {
        r.dataset_id: r._asdict() for r in session.execute(sa.select(DOC).where(DOC.c.dataset_id.in_(ids)))
    }
    engine = backend(session)
    if old:
        engine.unindex(session, list(old.values()))
    delta: Counter = Counter()
    doc_ids = []
    for ds_id, doc in docs.items():
        previous = old.get(ds_id)
        new_words = doc.vocabulary()
        if previous is None:
            doc_id = session.execute(sa.insert(DOC).values(**doc.row()).returning(DOC.c.id)).scalar_one()
        else:
            doc_id = previous["id"]
            session.execute(sa.update(DOC).where(DOC.c.id == doc_id).values(**doc.row()))
            delta.subtract(vocabulary_of(previous))
        delta.update(new_words)
        doc_ids.append(doc_id)
        _write_facets(session, doc_id, doc)
    engine.index(session, doc_ids)
    vocabulary.apply_delta(session, delta)


def _write_facets(session: Session, doc_id: int, doc: Doc) -> None:
    session.execute(sa.delete(FACET).where(FACET.c.doc_id == doc_id))
    rows = [{"facet": f, "value": v[:200], "doc_id": doc_id} for f, v in sorted(doc.facets)]
    if rows:
        session.execute(sa.insert(FACET), rows)


def update_signals(session: Session, dataset_ids: Sequence[str]) -> None:
    """Refresh only the ranking signals (popularity, boost) of existing documents: no text changes."""
    docs = build_docs(session, dataset_ids)
    for ds_id, doc in docs.items():
        session.execute(
            sa.update(DOC)
            .where(DOC.c.dataset_id == ds_id)
            .values(popularity=doc.popularity, boost=doc.boost, stale=doc.stale)
        )


def refresh_signals(session: Session, batch: int = 2000) -> int:
    """Recompute every document's popularity and boost (usage ages out of the 90-day window); a daily job."""
    ids = list(session.execute(sa.select(DOC.c.dataset_id).order_by(DOC.c.dataset_id)).scalars())
    for start in range(0, len(ids), batch):
        update_signals(session, ids[start : start + batch])
    session.commit()
    return len(ids)


def rebuild(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Drop and rebuild every search document, facet and vocabulary word; returns the documents indexed."""
    engine = backend(session)
    engine.clear(session)
    session.execute(sa.delete(FACET))
    session.execute(sa.delete(DOC))
    vocabulary.clear(session)
    ids = list(session.execute(sa.select(CatalogDataset.id).order_by(CatalogDataset.id)).scalars())
    counts: Counter = Counter()
    total = 0
    for start in range(0, len(ids), REBUILD_BATCH):
        docs = build_docs(session, ids[start : start + REBUILD_BATCH])
        if not docs:
            continue
        inserted = session.execute(
            sa.insert(DOC).returning(DOC.c.dataset_id, DOC.c.id), [d.row() for d in docs.values()]
        ).all()
        facets = [
            {"facet": f, "value": v[:200], "doc_id": doc_id}
            for ds_id, doc_id in inserted
            for f, v in sorted(docs[ds_id].facets)
        ]
        if facets:
            session.execute(sa.insert(FACET), facets)
        for doc in docs.values():
            counts.update(doc.vocabulary())
        total += len(docs)
        if progress:
            progress(len(docs))
    engine.index_all(session)
    vocabulary.load(session, counts)
    return total


__all__ = [
    "TEXT_FIELDS",
    "backend",
    "rebuild",
    "rebuild_index",
    "refresh_signals",
    "reindex",
    "update_signals",
]


def rebuild_index(session: Session, *, actor: Actor, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole search index in one transaction, audited; returns the documents indexed."""
    count = rebuild(session, progress=progress)
    audit.record(
        session, actor, "catalog.search_index.rebuild", "search_index", "catalog", {"documents": count}
    )
    session.commit()
    return count
