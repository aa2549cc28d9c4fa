"""Links from glossary terms and metrics to datasets and columns, resolved when read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from catalog.models import CatalogDataset
from catalog.models_governance import CatalogLink
from catalog.registry import get_row, resolve, validate_name
from catalog.search.index import reindex
from core import clock
from core.errors import InvalidInput

SOURCE_PREFIX = "source:"


@dataclass(frozen=True)
class LinkInfo:
    """A linked dataset (and column), with the catalogue entry it resolves to if it is known yet."""

    namespace: str
    name: str
    column: str | None
    dataset_id: str | None


def reference(
    session: Session,
    *,
    dataset_id: str | None = None,
    namespace: str | None = None,
    name: str | None = None,
    source: str | None = None,
    field: str = "dataset",
) -> tuple[str, str]:
    """(ref_namespace, ref_name) for a dataset named by id, by namespace + name, or by source system + name."""
    if dataset_id:
        row = get_row(session, dataset_id)
        return row.namespace, row.name
    if source and name:
        return f"{SOURCE_PREFIX}{source}", name
    if namespace and name:
        return validate_name(namespace, name, f"{field}.")
    raise InvalidInput(
        "name a dataset by dataset_id, by namespace and name, or by source and name", field=field
    )


def resolve_ref(session: Session, ref_namespace: str, ref_name: str) -> CatalogDataset | None:
    """The dataset a link points to, if the catalogue knows it."""
    if ref_namespace.startswith(SOURCE_PREFIX):
        system = ref_namespace[len(SOURCE_PREFIX) :]
        return session.exec(
            select(CatalogDataset)
            .where(CatalogDataset.source_system == system, CatalogDataset.name == ref_name)
            .order_by(CatalogDataset.status, CatalogDataset.created_at)
        ).first()
    return resolve(session, ref_namespace, ref_name)


def add_link(
    session: Session, *, subject_type: str, subject_id: str, ref: tuple[str, str], column: str = ""
) -> bool:
    """Link a term or metric to a dataset (column); False if the link existed (caller commits)."""
    column = (column or "").strip()
    if len(column) > 300:
        raise InvalidInput("column is at most 300 characters", field="column")
    exists = session.exec(
        select(CatalogLink).where(
            CatalogLink.subject_type == subject_type,
            CatalogLink.subject_id == subject_id,
            CatalogLink.ref_namespace == ref[0],
            CatalogLink.ref_name == ref[1],
            CatalogLink.column_name == column,
        )
    ).first()
    if exists:
        return False
    session.add(
        CatalogLink(
            subject_type=subject_type,
            subject_id=subject_id,
            ref_namespace=ref[0],
            ref_name=ref[1],
            column_name=column,
            created_at=clock.now(),
        )
    )
    target = resolve_ref(session, *ref)
    if target is not None:
        session.flush()
        reindex(session, [target.id])
    return True


def links_of(session: Session, subject_type: str, subject_id: str) -> list[LinkInfo]:
    """A term's or metric's links, resolved."""
    rows = session.exec(
        select(CatalogLink)
        .where(CatalogLink.subject_type == subject_type, CatalogLink.subject_id == subject_id)
        .order_by(CatalogLink.ref_namespace, CatalogLink.ref_name, CatalogLink.column_name)
    )
    out = []
    for r in rows:
        target = resolve_ref(session, r.ref_namespace, r.ref_name)
        out.append(
            LinkInfo(r.ref_namespace, r.ref_name, r.column_name or None, target.id if target else None)
        )
    return out


def linked_to(session: Session, dataset: CatalogDataset) -> list[tuple[str, str, str | None]]:
    """(subject_type, subject_id, column) of every term and metric linked to a dataset."""
    keys = [(dataset.namespace, dataset.name)]
    if dataset.source_system:
        keys.append((f"{SOURCE_PREFIX}{dataset.source_system}", dataset.name))
    out = []
    for ns, name in keys:
        for r in session.exec(
            select(CatalogLink).where(CatalogLink.ref_namespace == ns, CatalogLink.ref_name == name)
        ):
            out.append((r.subject_type, r.subject_id, r.column_name or None))
    return out
