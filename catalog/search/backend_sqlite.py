"""SQLite search backend: an FTS5 table over catalog_search_doc (external content), ranked by bm25."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from catalog.search.documents import TEXT_FIELDS
from catalog.search.text import fts5_query

FTS = "catalog_search_fts"
_COLS = ", ".join(TEXT_FIELDS)
_PARAMS = ", ".join(f":{c}" for c in TEXT_FIELDS)
# bm25 weights in TEXT_FIELDS order: name, title, description, columns, tags, terms, owners.
_WEIGHTS = "10.0, 6.0, 2.0, 3.0, 4.0, 4.0, 2.0"

# Rows (doc_id, rel) of the documents matching :match; rel is higher for better matches.
MATCHED = f"SELECT rowid AS doc_id, -bm25({FTS}, {_WEIGHTS}) AS rel FROM {FTS} WHERE {FTS} MATCH :match"
MATCHED_IDS = f"SELECT rowid AS doc_id FROM {FTS} WHERE {FTS} MATCH :match"


def match_text(tokens: list[str], *, prefix_last: bool, any_of: bool = False) -> str:
    """The MATCH expression for these tokens (each quoted)."""
    return fts5_query(tokens, prefix_last=prefix_last, any_of=any_of)


def unindex(session: Session, old_rows: list[dict]) -> None:
    """Remove documents from the FTS index; external content needs the values that were indexed."""
    session.execute(
        sa.text(f"INSERT INTO {FTS}({FTS}, rowid, {_COLS}) VALUES ('delete', :id, {_PARAMS})"),
        [{"id": r["id"], **{c: r[c] for c in TEXT_FIELDS}} for r in old_rows],
    )


def index(session: Session, doc_ids: list[int]) -> None:
    """Add documents (already written to catalog_search_doc) to the FTS index."""
    if doc_ids:
        session.execute(
            sa.text(
                f"INSERT INTO {FTS}(rowid, {_COLS}) SELECT id, {_COLS} FROM catalog_search_doc WHERE id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": doc_ids},
        )


def clear(session: Session) -> None:
    """Empty the FTS index."""
    session.execute(sa.text(f"INSERT INTO {FTS}({FTS}) VALUES ('delete-all')"))


def index_all(session: Session) -> None:
    """Rebuild the FTS index from every row of catalog_search_doc."""
    session.execute(sa.text(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')"))
