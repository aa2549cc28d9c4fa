"""Keeping the search index in step with the catalogue, and rebuilding it from scratch."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

import sqlalchemy as sa
from sqlmodel import Session

from catalog.models import CatalogDataset
from catalog.models_search import CatalogSearchDoc, CatalogSearchFacet
from catalog.search import backend_postgres, backend_sqlite, vocabulary
from catalog.search.documents import TEXT_FIELDS, build_docs, vocabulary_of
from core import audit
from core.audit import Actor

DOC = CatalogSearchDoc.__table__
FACET = CatalogSearchFacet.__table__
REBUILD_BATCH = 2000
# Session.info keys of a deferred block: the ids to reindex and those whose signals to refresh at its end.
_DEFERRED, _DEFERRED_SIGNALS = "catalog.search.deferred", "catalog.search.deferred_signals"


def backend(session: Session):
    """The search backend module for the session's database."""
    return backend_sqlite if session.get_bind().dialect.name == "sqlite" else backend_postgres


def reindex(session: Session, dataset_ids: Iterable[str], batch: int = 1000) -> None:
    """Rewrite the search documents of these datasets within the caller's transaction."""
    ids = sorted(set(dataset_ids))
    if not ids:
        return
    if _DEFERRED in session.info:
        session.info[_DEFERRED].update(ids)
        return
    session.flush()
    for start in range(0, len(ids), batch):
        _reindex(session, ids[start : start + batch])


def _reindex(session: Session, ids: list[str]) -> None:
    docs = build_docs(session, ids)
    old = {
        r.dataset_id: r._asdict() for r in session.execute(sa.select(DOC).where(DOC.c.dataset_id.in_(ids)))
    }
    engine = backend(session)
    if old:
        engine.unindex(session, list(old.values()))
    delta: Counter = Counter()
    for previous in old.values():
        delta.subtract(vocabulary_of(previous))
    changed = [{"doc_id": old[k]["id"], **d.row()} for k, d in docs.items() if k in old]
    if changed:
        values = {c: sa.bindparam(f"v_{c}") for c in changed[0] if c != "doc_id"}
        stmt = sa.update(DOC).where(DOC.c.id == sa.bindparam("doc_id")).values(**values)
        session.execute(
            stmt,
            [
                {"doc_id": r["doc_id"], **{f"v_{k}": v for k, v in r.items() if k != "doc_id"}}
                for r in changed
            ],
        )
    doc_ids = {k: old[k]["id"] for k in docs if k in old}
    fresh = [d.row() for k, d in docs.items() if k not in old]
    if fresh:
        inserted = session.execute(sa.insert(DOC).returning(DOC.c.dataset_id, DOC.c.id), fresh).all()
        doc_ids.update((row[0], row[1]) for row in inserted)
    session.execute(sa.delete(FACET).where(FACET.c.doc_id.in_(list(doc_ids.values()))))
    facets = [
        {"facet": f, "value": v[:200], "doc_id": doc_ids[k]}
        for k, d in docs.items()
        for f, v in sorted(d.facets)
    ]
    if facets:
        session.execute(sa.insert(FACET), facets)
    for d in docs.values():
        delta.update(d.vocabulary())
    engine.index(session, list(doc_ids.values()))
    vocabulary.apply_delta(session, delta)


@contextlib.contextmanager
def deferred(session: Session) -> Iterator[None]:
    """Within the block, reindex and signal refreshes only collect ids; the block's end does them at once.

    Many small reindexes (one per dataset a lineage batch registers) cost far more than one over all
    of them, and reindexing rewrites a document from the current rows, so doing it later is the same.
    """
    if _DEFERRED in session.info:  # nested: the outer block does the work
        yield
        return
    session.info[_DEFERRED], session.info[_DEFERRED_SIGNALS] = set(), set()
    try:
        yield
        ids, signals = session.info.pop(_DEFERRED), session.info.pop(_DEFERRED_SIGNALS)
        reindex(session, ids)
        update_signals(session, sorted(signals - ids))
    finally:
        session.info.pop(_DEFERRED, None)
        session.info.pop(_DEFERRED_SIGNALS, None)


def update_signals(session: Session, dataset_ids: Sequence[str]) -> None:
    """Refresh only the ranking signals (popularity, boost) of existing documents: no text changes."""
    if _DEFERRED_SIGNALS in session.info:
        session.info[_DEFERRED_SIGNALS].update(dataset_ids)
        return
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
    "deferred",
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
