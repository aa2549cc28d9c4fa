"""The one catalogue search function: full text, facets and ranking on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from catalog.models import CatalogDataset, CatalogOwner, CatalogTag
from catalog.search import vocabulary
from catalog.search.documents import FACETS
from catalog.search.index import backend
from catalog.search.text import query_tokens
from core.errors import InvalidInput

MAX_LIMIT = 100
MAX_OFFSET = 10_000
FACET_VALUES = 20


@dataclass(frozen=True)
class SearchHit:
    """A dataset found, with what the result list shows and its score."""

    id: str
    namespace: str
    name: str
    display_name: str | None
    description: str | None
    kind: str
    source_system: str | None
    status: str
    certification: str
    certification_expired: bool
    stale: bool
    last_updated_at: datetime | None
    row_count: int | None
    score: float
    owners: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FacetValue:
    """A facet value and how many results have it."""

    value: str
    count: int


@dataclass(frozen=True)
class SearchResults:
    """A page of results, their total, facet counts, and how the query was understood."""

    query: str
    mode: str  # browse | all | any | corrected
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    corrected_query: str | None = None
    limit: int = 20
    offset: int = 0


def _check(
    filters: Mapping[str, Sequence[str]] | None, limit: int, offset: int
) -> list[tuple[str, list[str]]]:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    if not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset must be between 0 and {MAX_OFFSET}", field="offset")
    out = []
    for key, values in (filters or {}).items():
        if key not in FACETS:
            raise InvalidInput(
                f"unknown facet {key!r}; use one of {', '.join(FACETS)}", field=f"filters.{key}"
            )
        values = [values] if isinstance(values, str) else list(values or [])
        if len(values) > 50 or any(not isinstance(v, str) or len(v) > 200 for v in values):
            raise InvalidInput("a facet filter takes up to 50 values of at most 200 characters", field=key)
        if values:
            out.append((key, values))
    return out


def _where(filters: list[tuple[str, list[str]]], include_dropped: bool) -> tuple[str, dict, list]:
    clauses = [] if include_dropped else ["d.active = :active"]
    params: dict = {} if include_dropped else {"active": True}
    binds = []
    for i, (facet, values) in enumerate(filters):
        clauses.append(
            f"d.id IN (SELECT doc_id FROM catalog_search_facet WHERE facet = :f{i} AND value IN :v{i})"
        )
        params[f"f{i}"], params[f"v{i}"] = facet, values
        binds.append(sa.bindparam(f"v{i}", expanding=True))
    return (" AND ".join(clauses) or "1 = 1"), params, binds


def _page(session, matched, where, params, binds, limit, offset) -> tuple[int, list[tuple[str, float]]]:
    source = (
        f"({matched}) m JOIN catalog_search_doc d ON d.id = m.doc_id" if matched else "catalog_search_doc d"
    )
    score = "m.rel * d.boost" if matched else "d.boost"
    sql = (
        f"SELECT d.dataset_id, {score} AS score, count(*) OVER () AS total FROM {source}"
        f" WHERE {where} ORDER BY score DESC, d.dataset_id LIMIT :limit OFFSET :offset"
    )
    rows = session.execute(
        sa.text(sql).bindparams(*binds), {**params, "limit": limit, "offset": offset}
    ).all()
    if rows:
        return rows[0].total, [(r.dataset_id, float(r.score)) for r in rows]
    if offset == 0:
        return 0, []
    count = f"SELECT count(*) FROM {source} WHERE {where}"
    return session.execute(sa.text(count).bindparams(*binds), params).scalar_one(), []


def _facets(session, matched_ids, where, params, binds) -> dict[str, list[FacetValue]]:
    join = f" JOIN ({matched_ids}) m ON m.doc_id = d.id" if matched_ids else ""
    sql = (
        "SELECT f.facet, f.value, count(*) AS n FROM catalog_search_facet f"
        f" JOIN catalog_search_doc d ON d.id = f.doc_id{join} WHERE {where} GROUP BY f.facet, f.value"
    )
    grouped: dict[str, list[FacetValue]] = defaultdict(list)
    for facet, value, n in session.execute(sa.text(sql).bindparams(*binds), params):
        grouped[facet].append(FacetValue(value, int(n)))
    return {f: sorted(grouped.get(f, []), key=lambda v: (-v.count, v.value))[:FACET_VALUES] for f in FACETS}


def search(
    session: Session,
    *,
    q: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    include_dropped: bool = False,
    limit: int = 20,
    offset: int = 0,
    with_facets: bool = True,
    prefix: bool = True,
) -> SearchResults:
    """Datasets matching `q` (all words; the last one as a prefix), best first, with facet counts.

    With no hit for all words it falls back to any word, then to typo-corrected words. Ranking is text
    relevance times a boost for certified, fresh and much-used datasets.
    """
    checked = _check(filters, limit, offset)
    where, params, binds = _where(checked, include_dropped)
    engine = backend(session)
    tokens = query_tokens(q)
    mode, corrected, match = "browse", None, None
    total, page = _page(session, None, where, params, binds, limit, offset) if not tokens else (0, [])
    if tokens:
        attempts = [("all", tokens, False)]
        if len(tokens) > 1:
            attempts.append(("any", tokens, True))
        for attempt, words, any_of in attempts:
            mode = attempt
            match = engine.match_text(words, prefix_last=prefix, any_of=any_of)
            total, page = _page(
                session, engine.MATCHED, where, {**params, "match": match}, binds, limit, offset
            )
            if total:
                break
        if not total:
            fixed = [
                t
                if vocabulary.known(session, t, prefix=prefix and i == len(tokens) - 1)
                else (vocabulary.correct(session, t) or t)
                for i, t in enumerate(tokens)
            ]
            if fixed != tokens:
                mode, corrected = "corrected", " ".join(fixed)
                match = engine.match_text(fixed, prefix_last=prefix)
                total, page = _page(
                    session, engine.MATCHED, where, {**params, "match": match}, binds, limit, offset
                )
    facets = {}
    if with_facets:
        fparams = {**params, "match": match} if match else params
        facets = _facets(session, engine.MATCHED_IDS if match else None, where, fparams, binds)
    return SearchResults(
        query=q,
        mode=mode,
        total=int(total),
        hits=_hydrate(session, page),
        facets=facets,
        corrected_query=corrected,
        limit=limit,
        offset=offset,
    )


def _hydrate(session: Session, page: list[tuple[str, float]]) -> list[SearchHit]:
    if not page:
        return []
    ids = [i for i, _ in page]
    rows = {
        r.id: r
        for r in session.execute(sa.select(CatalogDataset.__table__).where(CatalogDataset.id.in_(ids)))
    }
    owners, tags = defaultdict(list), defaultdict(list)
    o, t = CatalogOwner.__table__.c, CatalogTag.__table__.c
    for ds_id, owner in session.execute(sa.select(o.dataset_id, o.owner).where(o.dataset_id.in_(ids))):
        if owner not in owners[ds_id]:
            owners[ds_id].append(owner)
    for ds_id, tag in session.execute(sa.select(t.dataset_id, t.tag).where(t.dataset_id.in_(ids))):
        tags[ds_id].append(tag)
    hits = []
    for ds_id, score in page:
        r = rows.get(ds_id)
        if r is None:
            continue
        hits.append(
            SearchHit(
                id=r.id,
                namespace=r.namespace,
                name=r.name,
                display_name=r.display_name,
                description=r.description,
                kind=r.kind,
                source_system=r.source_system,
                status=r.status,
                certification=r.certification,
                certification_expired=r.certification_expired,
                stale=r.stale,
                last_updated_at=r.last_updated_at,
                row_count=r.row_count,
                score=score,
                owners=sorted(owners[ds_id]),
                tags=sorted(tags[ds_id]),
            )
        )
    return hits


def suggest(session: Session, *, q: str, limit: int = 8) -> list[vocabulary.Suggestion]:
    """Completions and corrections for the last word typed in the search box."""
    if not isinstance(limit, int) or not 1 <= limit <= 50:
        raise InvalidInput("limit must be between 1 and 50", field="limit")
    tokens = query_tokens(q)
    return vocabulary.suggest(session, tokens[-1], limit=limit) if tokens else []
