"""PostgreSQL search backend: a weighted tsvector per document with a GIN index, ranked by ts_rank."""

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

# Rows (doc_id, rel) of the documents matching :match; rel is higher for better matches.
MATCHED = (
    "SELECT d.id AS doc_id, ts_rank('{0.1, 0.3, 0.6, 1.0}', d.document, q, 1) AS rel"
    f" FROM catalog_search_doc d, to_tsquery('{CONFIG}', :match) q WHERE d.document @@ q"
)
MATCHED_IDS = (
    f"SELECT d.id AS doc_id FROM catalog_search_doc d WHERE d.document @@ to_tsquery('{CONFIG}', :match)"
)


def match_text(tokens: list[str], *, prefix_last: bool, any_of: bool = False) -> str:
    """The to_tsquery text for these tokens (each a quoted lexeme)."""
    return tsquery_text(tokens, prefix_last=prefix_last, any_of=any_of)


def unindex(session: Session, old_rows: list[dict]) -> None:
    """Nothing to do: the tsvector lives on the document row and is recomputed with it."""


def index(session: Session, doc_ids: list[int]) -> None:
    """Compute the tsvector of these documents."""
    if doc_ids:
        session.execute(
            sa.text(f"UPDATE catalog_search_doc SET document = {_DOCUMENT} WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": doc_ids},
        )


def clear(session: Session) -> None:
    """Nothing to do: deleting the document rows clears the index."""


def index_all(session: Session) -> None:
    """Compute the tsvector of every document."""
    session.execute(sa.text(f"UPDATE catalog_search_doc SET document = {_DOCUMENT}"))
