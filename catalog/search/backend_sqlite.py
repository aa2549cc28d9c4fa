"""SQLite search backend: FTS5 tables over catalog_search_doc (external content), ranked by bm25.

`catalog_search_fts` indexes every text field; `catalog_search_fts_names` only names, titles, tags and
glossary terms, so "the dataset is about this word" is a plain index lookup, not a column filter.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from catalog.search.documents import NAME_FIELDS, TEXT_FIELDS
from catalog.search.text import fts5_query

FTS = "catalog_search_fts"
NAMES = "catalog_search_fts_names"
_FIELDS = {FTS: TEXT_FIELDS, NAMES: NAME_FIELDS}
# bm25 weights in field order: name, title, description, columns, tags, terms, owners.
_WEIGHTS = {FTS: "10.0, 6.0, 2.0, 3.0, 4.0, 4.0, 2.0", NAMES: "10.0, 6.0, 4.0, 4.0"}


def _table(names: bool) -> str:
    return NAMES if names else FTS


def matched(param: str = "match", *, names: bool = False) -> str:
    """Rows (doc_id, rel) of the documents matching the bound MATCH text; higher rel is better."""
    t = _table(names)
    return f"SELECT rowid AS doc_id, -bm25({t}, {_WEIGHTS[t]}) AS rel FROM {t} WHERE {t} MATCH :{param}"


def matched_ids(param: str = "match", *, names: bool = False) -> str:
    """Ids of the documents matching the bound MATCH text."""
    t = _table(names)
    return f"SELECT rowid AS doc_id FROM {t} WHERE {t} MATCH :{param}"


def match_filter(param: str = "match", *, names: bool = False) -> str:
    """A condition on doc `d`: it matches the bound MATCH text (one index probe per document)."""
    t = _table(names)
    return f"EXISTS (SELECT 1 FROM {t} WHERE {t} MATCH :{param} AND rowid = d.id)"


def match_text(tokens: list[str], *, prefix_last: bool, any_of: bool = False) -> str:
    """The MATCH expression for these tokens (each quoted)."""
    return fts5_query(tokens, prefix_last=prefix_last, any_of=any_of)


def unindex(session: Session, old_rows: list[dict]) -> None:
    """Remove documents from the FTS indexes; external content needs the values that were indexed."""
    for table, fields in _FIELDS.items():
        cols = ", ".join(fields)
        params = ", ".join(f":{c}" for c in fields)
        session.execute(
            sa.text(f"INSERT INTO {table}({table}, rowid, {cols}) VALUES ('delete', :id, {params})"),
            [{"id": r["id"], **{c: r[c] for c in fields}} for r in old_rows],
        )


def index(session: Session, doc_ids: list[int]) -> None:
    """Add documents (already written to catalog_search_doc) to the FTS indexes."""
    if not doc_ids:
        return
    for table, fields in _FIELDS.items():
        cols = ", ".join(fields)
        session.execute(
            sa.text(
                f"INSERT INTO {table}(rowid, {cols}) SELECT id, {cols} FROM catalog_search_doc WHERE id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": doc_ids},
        )


def clear(session: Session) -> None:
    """Empty the FTS indexes."""
    for table in _FIELDS:
        session.execute(sa.text(f"INSERT INTO {table}({table}) VALUES ('delete-all')"))


def index_all(session: Session) -> None:
    """Rebuild the FTS indexes from every row of catalog_search_doc."""
    for table in _FIELDS:
        session.execute(sa.text(f"INSERT INTO {table}({table}) VALUES ('rebuild')"))
    # Fresh statistics let the planner choose between walking the boost index and sorting a small set.
    session.execute(sa.text("ANALYZE catalog_search_doc"))
    session.execute(sa.text("ANALYZE catalog_search_facet"))
