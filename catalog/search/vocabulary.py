"""The suggestion vocabulary: every indexed word with its document count, and its trigrams.

Portable on both databases (no extension needed): a prefix is an index range scan on the word, and
typos are found through shared trigrams, then ranked by edit distance and how common the word is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from catalog.models_search import CatalogSearchTerm, CatalogSearchTrigram
from catalog.search.text import edit_distance, trigrams

TERM = CatalogSearchTerm.__table__
TRIGRAM = CatalogSearchTrigram.__table__
CHUNK = 500
TOP = "\U0010ffff"


@dataclass(frozen=True)
class Suggestion:
    """A word to complete or correct the one typed; `distance` 0 means an exact prefix."""

    term: str
    doc_count: int
    distance: int


def _insert(session: Session, table):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def apply_delta(session: Session, delta: Counter) -> None:
    """Add (or with negative counts, remove) words' document counts; words at zero are forgotten."""
    changes = {t: n for t, n in delta.items() if n and len(t) <= 100}
    if not changes:
        return
    grow = [{"term": t, "doc_count": n} for t, n in sorted(changes.items()) if n > 0]
    if grow:
        stmt = _insert(session, TERM)
        stmt = stmt.on_conflict_do_update(
            index_elements=["term"], set_={"doc_count": TERM.c.doc_count + stmt.excluded.doc_count}
        )
        session.execute(stmt, grow)
        grams = [{"trigram": g, "term": r["term"]} for r in grow for g in sorted(trigrams(r["term"]))]
        session.execute(_insert(session, TRIGRAM).on_conflict_do_nothing(), grams)
    shrink = sorted(t for t, n in changes.items() if n < 0)
    for i in range(0, len(shrink), CHUNK):
        part = shrink[i : i + CHUNK]
        session.execute(
            sa.update(TERM)
            .where(TERM.c.term.in_(part))
            .values(doc_count=TERM.c.doc_count + sa.case({t: changes[t] for t in part}, value=TERM.c.term))
        )
        gone = list(
            session.execute(
                sa.select(TERM.c.term).where(TERM.c.term.in_(part), TERM.c.doc_count <= 0)
            ).scalars()
        )
        if gone:
            session.execute(sa.delete(TRIGRAM).where(TRIGRAM.c.term.in_(gone)))
            session.execute(sa.delete(TERM).where(TERM.c.term.in_(gone)))


def clear(session: Session) -> None:
    """Forget every word."""
    session.execute(sa.delete(TRIGRAM))
    session.execute(sa.delete(TERM))


def load(session: Session, counts: Counter, batch: int = 20_000) -> None:
    """Bulk-load the vocabulary of a rebuilt index."""
    terms = sorted(t for t, n in counts.items() if n > 0 and len(t) <= 100)
    for i in range(0, len(terms), batch):
        part = terms[i : i + batch]
        session.execute(sa.insert(TERM), [{"term": t, "doc_count": counts[t]} for t in part])
        session.execute(
            sa.insert(TRIGRAM), [{"trigram": g, "term": t} for t in part for g in sorted(trigrams(t))]
        )


def _allowed(token: str) -> int:
    return 1 if len(token) <= 4 else 2 if len(token) <= 8 else 3


def suggest(session: Session, token: str, *, limit: int = 8) -> list[Suggestion]:
    """Words starting with `token`, then words close to it (typos), most useful first."""
    token = token.lower()[:100]
    if not token:
        return []
    rows = session.execute(
        sa.select(TERM.c.term, TERM.c.doc_count)
        .where(TERM.c.term >= token, TERM.c.term < token + TOP)
        .order_by(TERM.c.doc_count.desc(), TERM.c.term)
        .limit(limit)
    ).all()
    found = [Suggestion(t, n, 0) for t, n in rows]
    if len(found) >= limit or len(token) < 3:
        return found
    return (
        found
        + [s for s in fuzzy(session, token, limit=limit) if s.term not in {f.term for f in found}][
            : limit - len(found)
        ]
    )


def fuzzy(session: Session, token: str, *, limit: int = 8, candidates: int = 200) -> list[Suggestion]:
    """Words within a few edits of `token` (as a whole word or as the start of a longer word)."""
    grams = sorted(trigrams(token))
    shared = sa.func.count().label("shared")
    rows = session.execute(
        sa.select(TRIGRAM.c.term, shared)
        .where(TRIGRAM.c.trigram.in_(grams))
        .group_by(TRIGRAM.c.term)
        .order_by(shared.desc(), TRIGRAM.c.term)
        .limit(candidates)
    ).all()
    if not rows:
        return []
    counts = dict(
        session.execute(
            sa.select(TERM.c.term, TERM.c.doc_count).where(TERM.c.term.in_([r[0] for r in rows]))
        ).all()
    )
    allowed = _allowed(token)
    scored = []
    for term, _shared in rows:
        whole = edit_distance(token, term, allowed)
        start = min(edit_distance(token, term[: len(token) + d], allowed) for d in (-1, 0, 1))
        distance = min(whole, start)
        if distance <= allowed and term != token:
            scored.append(Suggestion(term, counts.get(term, 0), distance))
    scored.sort(key=lambda s: (s.distance, -s.doc_count, s.term))
    return scored[:limit]


def known(session: Session, token: str, *, prefix: bool = False) -> bool:
    """Whether the word (or, with `prefix`, some word starting with it) is in the vocabulary."""
    cond = sa.and_(TERM.c.term >= token, TERM.c.term < token + TOP) if prefix else TERM.c.term == token
    return session.execute(sa.select(TERM.c.term).where(cond).limit(1)).first() is not None


def correct(session: Session, token: str) -> str | None:
    """The most likely intended word for a token that matches nothing, or None."""
    best = fuzzy(session, token, limit=1)
    return best[0].term if best else None
