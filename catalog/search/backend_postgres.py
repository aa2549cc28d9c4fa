"""PostgreSQL search backend: weighted tsvectors with GIN indexes, ranked by ts_rank.

`document` holds every text field; `names_document` only names, titles, tags and glossary terms.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from catalog.search.text import tsquery_text

CONFIG = "english"
BUCKETS = 100  # catalog_search_doc.bucket is 0..99
# Weights A (name, title), B (tags, glossary terms), C (columns), D (description, owners).
_DOCUMENT = (
    f"setweight(to_tsvector('{CONFIG}', name || ' ' || title), 'A')"
    f" || setweight(to_tsvector('{CONFIG}', tags || ' ' || terms), 'B')"
    f" || setweight(to_tsvector('{CONFIG}', columns), 'C')"
    f" || setweight(to_tsvector('{CONFIG}', description || ' ' || owners), 'D')"
)
_NAMES = (
    f"setweight(to_tsvector('{CONFIG}', name || ' ' || title), 'A')"
    f" || setweight(to_tsvector('{CONFIG}', tags || ' ' || terms), 'B')"
)
_SET = f"document = {_DOCUMENT}, names_document = {_NAMES}"


def _column(names: bool) -> str:
    return "names_document" if names else "document"


def source(*, names: bool = False, need_doc: bool = False, rank: bool = False) -> tuple[str, str, str, str]:
    """FROM fragment over the matches of :match, their id column, the match condition, and the relevance
    expression (with `rank`): one scan of catalog_search_doc, so the planner can combine the GIN bitmap
    with other indexes (a sample's buckets) instead of joining the table to itself."""
    col = _column(names)
    if rank:
        return (
            f"catalog_search_doc d, to_tsquery('{CONFIG}', :match) q",
            "d.id",
            f"d.{col} @@ q",
            f"ts_rank('{{0.1, 0.3, 0.6, 1.0}}', d.{col}, q, 1)",
        )
    return "catalog_search_doc d", "d.id", f"d.{col} @@ to_tsquery('{CONFIG}', :match)", ""


def matched(param: str = "match", *, names: bool = False) -> str:
    """Rows (doc_id, rel) of the documents matching the bound tsquery text; higher rel is better."""
    col = _column(names)
    return (
        f"SELECT d.id AS doc_id, ts_rank('{{0.1, 0.3, 0.6, 1.0}}', d.{col}, q, 1) AS rel"
        f" FROM catalog_search_doc d, to_tsquery('{CONFIG}', :{param}) q WHERE d.{col} @@ q"
    )


def matched_ids(param: str = "match", *, names: bool = False) -> str:
    """Ids of the documents matching the bound tsquery text."""
    return f"SELECT id AS doc_id FROM catalog_search_doc WHERE {_column(names)} @@ to_tsquery('{CONFIG}', :{param})"


def match_filter(param: str = "match", *, names: bool = False) -> str:
    """A condition on doc `d`: it matches the bound tsquery text."""
    return f"d.{_column(names)} @@ to_tsquery('{CONFIG}', :{param})"


def in_set(column: str, subquery: str, keep: bool) -> str:
    """`column` is (or, keep False: is not) in the sub-query's ids, as a hashed sub-plan filter. A plain
    IN would become a semi-join and lose the walk of the boost index; NOT IN is never pulled up."""
    return f"NOT ({column} NOT IN ({subquery}))" if keep else f"{column} NOT IN ({subquery})"


def prepare(session: Session) -> None:
    """Search reads through the GIN and btree indexes; a sequential scan would evaluate `@@` (and
    de-TOAST a tsvector) for every row, which the planner does not price in when a LIMIT is near."""
    session.execute(sa.text("SET LOCAL enable_seqscan = off"))


def finish(session: Session) -> None:
    """Give the rest of the caller's transaction the planner's defaults back."""
    session.execute(sa.text("SET LOCAL enable_seqscan TO DEFAULT"))


def sample_clause(step: int, *, on_match: bool) -> tuple[str, dict, float]:
    """A condition keeping about one document in `step` (by its indexed hash bucket, so the sample and
    the GIN match combine in one bitmap), its parameters, and the scale of its counts."""
    cut = max(1, round(BUCKETS / step))
    return "d.bucket < :cut", {"cut": cut}, BUCKETS / cut


def match_text(tokens: list[str], *, prefix_last: bool, any_of: bool = False) -> str:
    """The to_tsquery text for these tokens (each a quoted lexeme)."""
    return tsquery_text(tokens, prefix_last=prefix_last, any_of=any_of)


def unindex(session: Session, old_rows: list[dict]) -> None:
    """Nothing to do: the tsvectors live on the document row and are recomputed with it."""


def index(session: Session, doc_ids: list[int]) -> None:
    """Compute the tsvectors of these documents."""
    if doc_ids:
        session.execute(
            sa.text(f"UPDATE catalog_search_doc SET {_SET} WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": doc_ids},
        )


def clear(session: Session) -> None:
    """Nothing to do: deleting the document rows clears the index."""


def index_all(session: Session) -> None:
    """Compute the tsvectors of every document."""
    session.execute(sa.text(f"UPDATE catalog_search_doc SET {_SET}"))
    session.execute(sa.text("ANALYZE catalog_search_doc"))
    session.execute(sa.text("ANALYZE catalog_search_facet"))
