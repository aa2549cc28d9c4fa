"""PostgreSQL search backend: weighted tsvectors with GIN indexes, ranked by ts_rank.

`document` holds every text field; `names_document` only names, titles, tags and glossary terms.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from catalog.search.text import tsquery_text

CONFIG = "english"
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
