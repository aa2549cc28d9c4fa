"""The business glossary: terms with definitions, owners, synonyms, and links to datasets and columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, func, select

from catalog.links import LinkInfo, add_link, links_of, reference
from catalog.models_governance import CatalogGlossaryTerm
from core import audit, clock
from core.audit import Actor
from core.errors import Conflict, InvalidInput, NotFound
from core.ids import new_id

STATUSES = ("draft", "approved", "deprecated")


@dataclass(frozen=True)
class TermInfo:
    """A glossary term and what it is linked to."""

    id: str
    name: str
    definition: str
    owner: str | None
    synonyms: list[str]
    status: str
    created_at: datetime
    updated_at: datetime
    links: list[LinkInfo] = field(default_factory=list)


def _info(row: CatalogGlossaryTerm, links: list[LinkInfo] | None = None) -> TermInfo:
    return TermInfo(
        row.id,
        row.name,
        row.definition,
        row.owner,
        list(row.synonyms or []),
        row.status,
        row.created_at,
        row.updated_at,
        links or [],
    )


def _check(name, definition, synonyms, status) -> None:
    if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 200):
        raise InvalidInput("a term's name is 1 to 200 characters", field="name")
    if definition is not None and (
        not isinstance(definition, str) or not definition.strip() or len(definition) > 20_000
    ):
        raise InvalidInput("a term needs a definition (at most 20,000 characters)", field="definition")
    if synonyms is not None and (
        isinstance(synonyms, str)
        or any(not isinstance(s, str) or not s.strip() or len(s) > 200 for s in synonyms)
    ):
        raise InvalidInput("synonyms is a list of words or phrases", field="synonyms")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")


def term_row(session: Session, name_or_id: str) -> CatalogGlossaryTerm:
    """A term by id or (case-insensitive) name; NotFound otherwise."""
    row = (
        session.get(CatalogGlossaryTerm, name_or_id)
        or session.exec(
            select(CatalogGlossaryTerm).where(
                func.lower(CatalogGlossaryTerm.name) == name_or_id.strip().lower()
            )
        ).first()
    )
    if row is None:
        raise NotFound(f"no glossary term {name_or_id!r}", field="term")
    return row


def create_term(
    session: Session,
    *,
    name: str,
    definition: str,
    owner: str | None = None,
    synonyms: Sequence[str] = (),
    status: str = "draft",
    actor: Actor,
    commit: bool = True,
) -> TermInfo:
    """Add a term to the glossary."""
    _check(name, definition, synonyms, status)
    name = name.strip()
    if session.exec(select(CatalogGlossaryTerm).where(CatalogGlossaryTerm.name == name)).first():
        raise Conflict(f"the glossary has a term {name!r} already", field="name")
    now = clock.now()
    row = CatalogGlossaryTerm(
        id=new_id("term"),
        name=name,
        definition=definition.strip(),
        owner=owner,
        synonyms=[s.strip() for s in synonyms],
        status=status,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    audit.record(session, actor, "glossary.create", "glossary_term", row.id, {"name": name})
    if commit:
        session.commit()
    return _info(row)


def update_term(
    session: Session,
    *,
    term: str,
    definition: str | None = None,
    owner: str | None = None,
    synonyms: Sequence[str] | None = None,
    status: str | None = None,
    actor: Actor,
    commit: bool = True,
) -> TermInfo:
    """Change a term's definition, owner, synonyms or status."""
    _check(None, definition, synonyms, status)
    row = term_row(session, term)
    changes = {}
    for key, value in (("definition", definition), ("owner", owner), ("status", status)):
        if value is not None and getattr(row, key) != value:
            setattr(row, key, value.strip() if isinstance(value, str) else value)
            changes[key] = value
    if synonyms is not None and list(row.synonyms or []) != [s.strip() for s in synonyms]:
        row.synonyms, changes["synonyms"] = [s.strip() for s in synonyms], list(synonyms)
    if changes:
        row.updated_at = clock.now()
        session.add(row)
        audit.record(session, actor, "glossary.update", "glossary_term", row.id, changes)
    if commit:
        session.commit()
    return _info(row, links_of(session, "term", row.id))


def link_term(
    session: Session,
    *,
    term: str,
    dataset_id: str | None = None,
    namespace: str | None = None,
    name: str | None = None,
    source: str | None = None,
    column: str = "",
    actor: Actor,
    commit: bool = True,
) -> TermInfo:
    """Link a term to a dataset (and optionally one of its columns)."""
    row = term_row(session, term)
    ref = reference(session, dataset_id=dataset_id, namespace=namespace, name=name, source=source)
    if add_link(session, subject_type="term", subject_id=row.id, ref=ref, column=column):
        audit.record(
            session,
            actor,
            "glossary.link",
            "glossary_term",
            row.id,
            {"dataset": f"{ref[0]}:{ref[1]}", "column": column},
        )
    if commit:
        session.commit()
    return _info(row, links_of(session, "term", row.id))


def get_term(session: Session, *, term: str) -> TermInfo:
    """A term with its links."""
    row = term_row(session, term)
    return _info(row, links_of(session, "term", row.id))


def list_terms(session: Session) -> list[TermInfo]:
    """Every term, by name."""
    return [_info(r) for r in session.exec(select(CatalogGlossaryTerm).order_by(CatalogGlossaryTerm.name))]
