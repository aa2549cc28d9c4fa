"""The SQL behind a search, shared by both backends (which supply their match sub-queries and probes).

Cost stays bounded for very broad queries (a word found in most of 50,000 datasets), the way
Elasticsearch counts hits exactly only up to 10,000 and Algolia estimates facets on huge results:

- matches are counted exactly up to COUNT_CAP; beyond that the total is estimated from a sample;
- text ranking (bm25 / ts_rank) runs only when the words match at most RANK_ALL datasets. For broader queries, datasets whose name, title, tags or glossary
  terms match come first (ranked if few enough), then the rest, in boost order (certified, fresh,
  popular): the boost index is walked and each dataset checked against the match, stopping at a page;
- facet values are counted exactly up to FACET_EXACT matches, else estimated from an even sample.

Filters (facets, and leaving out dropped datasets) are sets of document ids read from the facet table,
so they never need the documents themselves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from catalog.search.documents import DROPPED, parse_facet_values

COUNT_CAP = 10_000
RANK_ALL = 2_000
FACET_EXACT = 1_000
SAMPLE_DOCS = 2_000
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
        # Sets first: SQLite checks conditions in order, and a set lookup is cheaper than a probe. `+`
        # keeps SQLite from pushing a set into an FTS5 scan as rowid lookups (one MATCH per value).
        parts = [f"+{id_column} {'IN' if keep else 'NOT IN'} ({sql})" for sql, keep in self.sets]
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
        source = f"({self.engine.matched_ids(names=names)}) m"
        if need_doc:
            source += f" JOIN {DOC} d ON d.id = m.doc_id"
        return f" FROM {source}{self._where('m.doc_id', *clauses)}"

    def _filtered_ids(self) -> str:
        """Ids of the documents passing every filter, read from the facet table alone (needs a kept set)."""
        first = next(sql for sql, keep in self.sets if keep)
        others = [f"+doc_id {'IN' if keep else 'NOT IN'} ({sql})" for sql, keep in self.sets if sql != first]
        return f"SELECT DISTINCT doc_id FROM ({first}) x" + (
            " WHERE " + " AND ".join(others) if others else ""
        )

    def count(self, match: str | None, *, raw: bool = False, names: bool = False) -> int:
        """How many datasets match (ignoring filters when `raw`), counting at most COUNT_CAP + 1."""
        if raw:
            body = f" FROM ({self.engine.matched_ids(names=names)}) m"
        elif match is None and self.filtered:
            body = f" FROM ({self._filtered_ids()}) f"
        else:
            body = self._matches(match, names=names)
        sql = f"SELECT count(*) FROM (SELECT 1{body} LIMIT :cap) c"
        return self._run(sql, {"match": match, "cap": COUNT_CAP + 1}).scalar_one()

    def ranked(self, match: str, limit: int, offset: int, *, names: bool = False) -> list[tuple[str, float]]:
        """Text relevance times boost, best first (over at most RANK_ALL matches)."""
        sql = (
            f"SELECT d.dataset_id, m.rel * d.boost AS score FROM ({self.engine.matched(names=names)}) m"
            f" JOIN {DOC} d ON d.id = m.doc_id{self._where('m.doc_id')}"
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
                clauses.append(f"+d.id NOT IN ({self.engine.matched_ids(names=True)})")
                clauses.append(self.engine.match_filter())
            else:
                clauses.append(f"+d.id IN ({self.engine.matched_ids(names=names)})")
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
        exact = total <= COUNT_CAP
        if not exact:  # more than COUNT_CAP: estimate, but never below what was counted
            total = max(self.sample(match)[1], COUNT_CAP + 1)
        if total == 0:
            return Page(0, [], exact)
        if match is None:
            few = self.filtered and exact and total <= RANK_ALL
            return Page(
                total, self._few_by_boost(limit, offset) if few else self.by_boost(None, limit, offset), exact
            )
        raw = self.count(match, raw=True) if self.filtered else total
        if exact and raw <= RANK_ALL:
            return Page(total, self.ranked(match, limit, offset), exact)
        names_total = self.count(match, names=True)
        rows = []
        if offset < names_total:
            names_raw = self.count(match, names=True, raw=True) if self.filtered else names_total
            if names_raw <= RANK_ALL:
                rows = self.ranked(match, limit, offset, names=True)
            else:
                rows = self.by_boost(match, limit, offset, names=True)
        if len(rows) < limit:
            rows += self.by_boost(match, limit - len(rows), max(0, offset - names_total), probe=True)
        return Page(total, rows, exact)

    def sample(self, match: str | None, total: int | None = None) -> tuple[Counter, int]:
        """Facet counts and match count estimated from an even sample: about FACET_EXACT of the matches
        when their number is known, else SAMPLE_DOCS of all documents."""
        if self._sample is None:
            if total is None:
                top = self.session.execute(sa.text(f"SELECT max(id) FROM {DOC}")).scalar() or 0
                step = -(-top // SAMPLE_DOCS)
            else:
                step = -(-total // FACET_EXACT)
            self._sample = self._count_facets(match, max(1, step))
        return self._sample

    def _count_facets(self, match: str | None, step: int) -> tuple[Counter, int]:
        # A hashed id (not the id itself) picks the sample, so no periodic pattern in ids can bias it.
        column = "d.id" if match is None else "m.doc_id"
        every = f"(({column} * 2654435761) % 4294967296) % :step = 0" if step > 1 else ""
        body = self._matches(match, every, need_doc=True)
        lines: Counter = Counter()
        n = 0
        for (text,) in self._run(f"SELECT d.facet_values{body}", {"match": match, "step": step}):
            n += 1
            if text:
                lines.update(text.split("\n"))
        counts = Counter({pair: lines[line] * step for line in lines for pair in parse_facet_values(line)})
        return counts, n * step

    def facets(self, match: str | None, total: int, exact: bool) -> tuple[Counter, bool]:
        """(facet, value) counts over the matches: exact up to FACET_EXACT matches, else estimated."""
        if exact and total <= FACET_EXACT:
            return self._count_facets(match, 1)[0], True
        return self.sample(match, total if exact else None)[0], False
