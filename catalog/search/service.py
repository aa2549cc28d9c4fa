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
from catalog.search.query import SearchQuery
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
    mode: str  # browse | all | any | prefix | corrected
    total: int  # exact up to 10,000 matches, else an estimate (total_exact False)
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    corrected_query: str | None = None
    limit: int = 20
    offset: int = 0
    total_exact: bool = True
    facets_exhaustive: bool = True  # False: counts estimated from a sample of a very large result


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


def search(
    session: Session,
    *,
    q: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    include_dropped: bool = False,
    limit: int = 20,
    offset: int = 0,
    with_facets: bool = True,
    prefix: bool = False,
) -> SearchResults:
    """Datasets matching every word of `q`, best first, with facet counts.

    With no hit it falls back to any of the words, then to the last word as a prefix, then to
    typo-corrected words (`mode` says which). `prefix=True` treats the last word as a prefix from the
    start (search as you type). Ranking is text relevance times a boost for certified, fresh and
    much-used datasets.
    """
    query = SearchQuery(session, backend(session), _check(filters, limit, offset), include_dropped)
    tokens = query_tokens(q)
    mode, corrected, match = "browse", None, None
    if not tokens:
        page = query.page(None, limit, offset)
    else:
        attempts = [("all", tokens, False, prefix)]
        attempts += [("any", tokens, True, prefix)] if len(tokens) > 1 else []
        attempts += [] if prefix else [("prefix", tokens, False, True)]
        for attempt, words, any_of, as_prefix in attempts:
            mode, (match, page) = attempt, _attempt(query, words, as_prefix, any_of, limit, offset)
            if page.total:
                break
        fixed = tokens if page.total else _corrected(session, tokens)
        if fixed != tokens:
            mode, corrected = "corrected", " ".join(fixed)
            match, page = _attempt(query, fixed, False, False, limit, offset)
    facets, exhaustive = {}, True
    if with_facets:
        counted, exhaustive = query.facets(match, page.total, page.exact)
        grouped: dict[str, list[FacetValue]] = defaultdict(list)
        for (facet, value), n in counted.items():
            grouped[facet].append(FacetValue(value, n))
        facets = {f: sorted(grouped[f], key=lambda v: (-v.count, v.value))[:FACET_VALUES] for f in FACETS}
    return SearchResults(
        query=q,
        mode=mode,
        total=int(page.total),
        total_exact=page.exact,
        hits=_hydrate(session, page.rows),
        facets=facets,
        corrected_query=corrected,
        limit=limit,
        offset=offset,
        facets_exhaustive=exhaustive,
    )


def _corrected(session: Session, tokens: list[str]) -> list[str]:
    """Each word the vocabulary does not know, replaced by its closest known word (if any)."""
    return [t if vocabulary.known(session, t) else (vocabulary.correct(session, t) or t) for t in tokens]


def _attempt(query: SearchQuery, words: list[str], prefix: bool, any_of: bool, limit: int, offset: int):
    engine = query.engine
    match = engine.match_text(words, prefix_last=prefix, any_of=any_of)
    return match, query.page(match, limit, offset)


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
