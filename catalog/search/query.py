"""The SQL behind a search, shared by both backends (which supply their match sub-queries and probes).

Cost stays bounded for very broad queries (a word found in most of 50,000 datasets), the way
Elasticsearch counts hits exactly only up to 10,000 and Algolia estimates facets on huge results
(the thresholds are per database, in LIMITS):

- matches are counted exactly up to `count_cap`; beyond that the total is estimated from a sample;
- text ranking (bm25 / ts_rank) runs only when the words match at most `rank_all` datasets. For broader queries, datasets whose name, title, tags or glossary
  terms match come first (ranked if few enough), then the rest, in boost order (certified, fresh,
  popular): the boost index is walked and each dataset checked against the match, stopping at a page;
- facet values are counted exactly up to `facet_exact` matches, else estimated from an even sample.

Filters (facets, and leaving out dropped datasets) are sets of document ids read from the facet table,
so they never need the documents themselves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from catalog.search.documents import DROPPED, parse_facet_values


@dataclass(frozen=True)
class Limits:
    """Where a search switches to its bounded-cost paths (see the module docstring)."""

    count_cap: int  # matches counted exactly; beyond, the total is estimated
    rank_all: int  # matches ranked by text relevance; beyond, names first then boost order
    facet_exact: int  # matches whose facet values are all counted; beyond, a sample
    sample_docs: int  # documents sampled when the number of matches is unknown


# PostgreSQL must visit the heap for every counted match (GIN has no index-only scans), so it counts less.
LIMITS = {
    "sqlite": Limits(count_cap=10_000, rank_all=2_000, facet_exact=1_000, sample_docs=2_000),
    "postgresql": Limits(count_cap=2_000, rank_all=1_000, facet_exact=500, sample_docs=1_000),
}
DOC = "catalog_search_doc"
FACET_SET = "SELECT doc_id FROM catalog_search_facet WHERE facet = :{f} AND value IN :{v}"


@dataclass
class Page:
    """Ids with scores for one page, how many datasets matched, and whether that count is exact."""

    total: int
    rows: list[tuple[str, float]] = field(default_factory=list)
    exact: bool = True


class SearchQuery:
    """One search's filters, bound to a session and a backend."""

    def __init__(self, session: Session, engine, filters: list[tuple[str, list[str]]], include_dropped: bool):
        self.session, self.engine = session, engine
        self.limits = LIMITS[session.get_bind().dialect.name]
        engine.prepare(session)
        self.params: dict = {}
        self.binds: list = []
        self.sets: list[tuple[str, bool]] = []  # (sub-query of doc ids, must the doc be in it)
        for i, (facet, values) in enumerate(filters):
            self.sets.append((FACET_SET.format(f=f"f{i}", v=f"v{i}"), True))
            self.params[f"f{i}"], self.params[f"v{i}"] = facet, values
            self.binds.append(sa.bindparam(f"v{i}", expanding=True))
        if not include_dropped:
            self.sets.append((FACET_SET.format(f="fd", v="vd"), False))
            self.params["fd"], self.params["vd"] = DROPPED
            self.binds.append(sa.bindparam("vd", expanding=True))
        self.filtered = any(keep for _, keep in self.sets)
        self._sample: tuple[Counter, int] | None = None

    def _run(self, sql: str, extra: dict | None = None):
        binds = [b for b in self.binds if f":{b.key}" in sql]
        return self.session.execute(sa.text(sql).bindparams(*binds), {**self.params, **(extra or {})})

    def _where(self, id_column: str, *clauses: str) -> str:
        # Sets first: they are checked in order, and a set lookup is cheaper than a full-text probe.
        parts = [self.engine.in_set(id_column, sql, keep) for sql, keep in self.sets]
        parts += [c for c in clauses if c]
        return " WHERE " + " AND ".join(parts) if parts else ""

    def _matches(self, match: str | None, *clauses: str, need_doc: bool = False, names: bool = False) -> str:
        """FROM + WHERE over the (filtered) matches; documents are read only when they must be."""
        if match is None and self.filtered:
            conditions = [c.replace("d.id", "f.doc_id") for c in clauses if c]
            where = " WHERE " + " AND ".join(conditions) if conditions else ""
            return f" FROM ({self._filtered_ids()}) f JOIN {DOC} d ON d.id = f.doc_id{where}"
        if match is None:
            return f" FROM {DOC} d{self._where('d.id', *clauses)}"
        source, id_column, condition, _ = self.engine.source(names=names, need_doc=need_doc)
        return f" FROM {source}{self._where(id_column, condition, *clauses)}"

    def _filtered_ids(self) -> str:
        """Ids of the documents passing every filter, read from the facet table alone (needs a kept set)."""
        first = next(sql for sql, keep in self.sets if keep)
        others = [self.engine.in_set("doc_id", sql, keep) for sql, keep in self.sets if sql != first]
        return f"SELECT DISTINCT doc_id FROM ({first}) x" + (
            " WHERE " + " AND ".join(others) if others else ""
        )

    def count(self, match: str | None, *, raw: bool = False, names: bool = False) -> int:
        """How many datasets match (ignoring filters when `raw`), counting at most count_cap + 1."""
        if raw:
            source, _, condition, _ = self.engine.source(names=names)
            body = f" FROM {source}" + (f" WHERE {condition}" if condition else "")
        elif match is None and self.filtered:
            body = f" FROM ({self._filtered_ids()}) f"
        else:
            body = self._matches(match, names=names)
        sql = f"SELECT count(*) FROM (SELECT 1{body} LIMIT :cap) c"
        return self._run(sql, {"match": match, "cap": self.limits.count_cap + 1}).scalar_one()

    def ranked(self, match: str, limit: int, offset: int, *, names: bool = False) -> list[tuple[str, float]]:
        """Text relevance times boost, best first (over at most rank_all matches)."""
        source, id_column, condition, relevance = self.engine.source(names=names, rank=True)
        sql = (
            f"SELECT d.dataset_id, {relevance} * d.boost AS score FROM {source}{self._where(id_column, condition)}"
            " ORDER BY score DESC, d.dataset_id LIMIT :limit OFFSET :offset"
        )
        extra = {"match": match, "limit": limit, "offset": offset}
        return [(r[0], float(r[1])) for r in self._run(sql, extra)]

    def by_boost(
        self, match: str | None, limit: int, offset: int, *, names: bool = False, probe: bool = False
    ):
        """Datasets in boost order (walking the boost index) that match: each probed in the full-text
        index (`probe`, for the broad rest, leaving out name matches), or checked against the match set."""
        clauses, extra = [], {"limit": limit, "offset": offset}
        if match is not None:
            extra["match"] = match
            if probe:
                clauses.append(self.engine.in_set("d.id", self.engine.matched_ids(names=True), False))
                clauses.append(self.engine.match_filter())
            else:
                clauses.append(self.engine.in_set("d.id", self.engine.matched_ids(names=names), True))
        sql = (
            f"SELECT d.dataset_id, d.boost FROM {DOC} d{self._where('d.id', *clauses)}"
            " ORDER BY d.boost DESC, d.id DESC LIMIT :limit OFFSET :offset"
        )
        return [(r[0], float(r[1])) for r in self._run(sql, extra)]

    def _few_by_boost(self, limit: int, offset: int) -> list[tuple[str, float]]:
        """The datasets passing the filters, when they are few: read them and sort by boost."""
        sql = (
            f"SELECT d.dataset_id, d.boost FROM ({self._filtered_ids()}) f JOIN {DOC} d ON d.id = f.doc_id"
            " ORDER BY d.boost DESC, d.id DESC LIMIT :limit OFFSET :offset"
        )
        return [(r[0], float(r[1])) for r in self._run(sql, {"limit": limit, "offset": offset})]

    def page(self, match: str | None, limit: int, offset: int) -> Page:
        """One page of results; see the module docstring for how broad queries stay fast."""
        total = self.count(match)
        exact = total <= self.limits.count_cap
        if not exact:  # more than count_cap: estimate, but never below what was counted
            total = max(self.sample(match)[1], self.limits.count_cap + 1)
        if total == 0:
            return Page(0, [], exact)
        if match is None:
            few = self.filtered and exact and total <= self.limits.rank_all
            return Page(
                total, self._few_by_boost(limit, offset) if few else self.by_boost(None, limit, offset), exact
            )
        raw = self.count(match, raw=True) if self.filtered else total
        if exact and raw <= self.limits.rank_all:
            return Page(total, self.ranked(match, limit, offset), exact)
        names_total = self.count(match, names=True)
        rows = []
        if offset < names_total:
            names_raw = self.count(match, names=True, raw=True) if self.filtered else names_total
            if names_raw <= self.limits.rank_all:
                rows = self.ranked(match, limit, offset, names=True)
            else:
                rows = self.by_boost(match, limit, offset, names=True)
        if len(rows) < limit:
            rows += self.by_boost(match, limit - len(rows), max(0, offset - names_total), probe=True)
        return Page(total, rows, exact)

    def sample(self, match: str | None, total: int | None = None) -> tuple[Counter, int]:
        """Facet counts and match count estimated from an even sample: about facet_exact of the matches
        when their number is known, else sample_docs of all documents."""
        if self._sample is None:
            if total is None:
                top = self.session.execute(sa.text(f"SELECT max(id) FROM {DOC}")).scalar() or 0
                step = -(-top // self.limits.sample_docs)
            else:
                step = -(-total // self.limits.facet_exact)
            self._sample = self._count_facets(match, max(1, step))
        return self._sample

    def _count_facets(self, match: str | None, step: int) -> tuple[Counter, int]:
        every, extra, scale = (
            self.engine.sample_clause(step, on_match=match is not None) if step > 1 else ("", {}, 1)
        )
        body = self._matches(match, every, need_doc=True)
        lines: Counter = Counter()
        n = 0
        for (text,) in self._run(f"SELECT d.facet_values{body}", {"match": match, **extra}):
            n += 1
            if text:
                lines.update(text.split("\n"))
        counts = Counter(
            {pair: round(lines[line] * scale) for line in lines for pair in parse_facet_values(line)}
        )
        return counts, round(n * scale)

    def facets(self, match: str | None, total: int, exact: bool) -> tuple[Counter, bool]:
        """(facet, value) counts over the matches: exact up to facet_exact matches, else estimated."""
        if exact and total <= self.limits.facet_exact:
            return self._count_facets(match, 1)[0], True
        return self.sample(match, total if exact else None)[0], False
