"""Steward edits: descriptions, display names, owners and tags. A steward's description is never
overwritten by a later scan, lineage event or dbt import.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlmodel import Session, select

from catalog.models import CatalogColumn, CatalogOwner, CatalogTag
from catalog.registry import get_row, owners_of, parse_owner, summary
from catalog.results import DatasetSummary, Owner
from catalog.search.index import reindex
from catalog.versions import STEWARD
from core import audit, clock
from core.audit import Actor
from core.errors import InvalidInput, NotFound

TAG = re.compile(r"^[a-z0-9][a-z0-9_.:\-]{0,99}$")
MAX_DESCRIPTION = 20_000
MAX_TAGS = 50


def _text(value: str | None, field: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInput(f"{field} is text of at most {limit} characters", field=field)
    return value.strip() or None


def update_dataset(
    session: Session,
    *,
    dataset_id: str,
    description: str | None = None,
    display_name: str | None = None,
    actor: Actor,
) -> DatasetSummary:
    """Set a dataset's description and/or display name (an empty string clears it)."""
    description = _text(description, "description", MAX_DESCRIPTION) if description is not None else ...
    display_name = _text(display_name, "display_name", 300) if display_name is not None else ...
    row = get_row(session, dataset_id)
    changed = {}
    if description is not ...:
        row.description, row.description_source = description, STEWARD if description else None
        changed["description"] = description
    if display_name is not ...:
        row.display_name = display_name
        changed["display_name"] = display_name
    if not changed:
        raise InvalidInput("give a description or a display_name to change", field="description")
    row.updated_at = clock.now()
    session.add(row)
    audit.record(session, actor, "dataset.update", "dataset", row.id, changed)
    reindex(session, [row.id])
    session.commit()
    return summary(row)


def set_column_description(
    session: Session, *, dataset_id: str, column: str, description: str | None, actor: Actor
) -> None:
    """Describe one column (None or empty clears the steward's text)."""
    description = _text(description, "description", MAX_DESCRIPTION)
    get_row(session, dataset_id)
    row = session.exec(
        select(CatalogColumn).where(CatalogColumn.dataset_id == dataset_id, CatalogColumn.name == column)
    ).first()
    if row is None:
        raise NotFound(f"no column {column!r} in dataset {dataset_id}", field="column")
    row.description, row.description_source = description, STEWARD if description else None
    session.add(row)
    audit.record(
        session, actor, "column.update", "dataset", dataset_id, {"column": column, "description": description}
    )
    reindex(session, [dataset_id])
    session.commit()


def add_owner(
    session: Session, *, dataset_id: str, owner: str, role: str = "owner", actor: Actor
) -> list[Owner]:
    """Add a person or team as an owner in a role (e.g. owner, steward, technical_owner)."""
    parsed = parse_owner(owner, role, "owner")
    get_row(session, dataset_id)
    exists = session.exec(
        select(CatalogOwner).where(
            CatalogOwner.dataset_id == dataset_id,
            CatalogOwner.owner == parsed.name,
            CatalogOwner.role == parsed.role,
        )
    ).first()
    if exists is None:
        session.add(
            CatalogOwner(
                dataset_id=dataset_id, owner=parsed.name, kind=parsed.kind, role=parsed.role, origin="manual"
            )
        )
        audit.record(
            session,
            actor,
            "dataset.owner.add",
            "dataset",
            dataset_id,
            {"owner": parsed.name, "role": parsed.role},
        )
        reindex(session, [dataset_id])
        session.commit()
    return owners_of(session, dataset_id)


def remove_owner(session: Session, *, dataset_id: str, owner: str, role: str, actor: Actor) -> list[Owner]:
    """Remove an owner in a role."""
    parsed = parse_owner(owner, role, "owner")
    row = session.exec(
        select(CatalogOwner).where(
            CatalogOwner.dataset_id == dataset_id,
            CatalogOwner.owner == parsed.name,
            CatalogOwner.role == parsed.role,
        )
    ).first()
    if row is None:
        raise NotFound(f"{parsed.name} is not an owner ({parsed.role}) of {dataset_id}", field="owner")
    session.delete(row)
    audit.record(
        session,
        actor,
        "dataset.owner.remove",
        "dataset",
        dataset_id,
        {"owner": parsed.name, "role": parsed.role},
    )
    reindex(session, [dataset_id])
    session.commit()
    return owners_of(session, dataset_id)


def normalise_tags(tags: Sequence[str]) -> list[str]:
    """Tags lower-cased with spaces as dashes; InvalidInput naming the bad one."""
    if isinstance(tags, str) or len(tags) > MAX_TAGS:
        raise InvalidInput(f"tags is a list of at most {MAX_TAGS} tags", field="tags")
    out = []
    for i, tag in enumerate(tags):
        text = "-".join(tag.strip().lower().split()) if isinstance(tag, str) else ""
        if not TAG.match(text):
            raise InvalidInput(
                f"tag {tag!r}: use letters, digits, '_', '.', ':', '-' (1-100)", field=f"tags[{i}]"
            )
        if text not in out:
            out.append(text)
    return out


def set_tags(session: Session, *, dataset_id: str, tags: Sequence[str], actor: Actor) -> list[str]:
    """Replace a dataset's tags."""
    wanted = normalise_tags(tags)
    get_row(session, dataset_id)
    current = {t.tag: t for t in session.exec(select(CatalogTag).where(CatalogTag.dataset_id == dataset_id))}
    for tag, row in current.items():
        if tag not in wanted:
            session.delete(row)
    for tag in wanted:
        if tag not in current:
            session.add(
                CatalogTag(dataset_id=dataset_id, tag=tag, added_by=actor.label, added_at=clock.now())
            )
    audit.record(session, actor, "dataset.tags", "dataset", dataset_id, {"tags": wanted})
    reindex(session, [dataset_id])
    session.commit()
    return sorted(wanted)
