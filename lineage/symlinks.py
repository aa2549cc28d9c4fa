"""One dataset under several names: symlinks and renames become aliases of one canonical dataset.

The dataset whose event declares a symlink (usually the physical location) stays canonical. A name
that was already a dataset of its own is merged into it: its aliases, run inputs/outputs, current
edges, column lineage and versions move over, and the other row goes. Lookups by any alias (including
node ids) resolve to the canonical dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from lineage.models import LineageDataset, LineageDatasetName, LineageDatasetVersion
from lineage.models_graph import LineageColumnEdge, LineageEdge, LineageRunIO
from lineage.storage import name_key


@dataclass(frozen=True)
class Alias:
    """A name a dataset is also known under (for the catalogue)."""

    namespace: str
    name: str
    alias_namespace: str
    alias_name: str


def link(
    session: Session,
    ds: LineageDataset,
    namespace: str,
    name: str,
    kind: str,
    link_type: str | None = None,
    on_merge=None,
) -> Alias | None:
    """Make (namespace, name) an alias of `ds`, merging any dataset that had that name; the Alias if new."""
    key = name_key(namespace, name)
    existing = session.get(LineageDatasetName, key)
    if existing is not None and existing.dataset_id == ds.id:
        return None
    if existing is not None:
        other = session.get(LineageDataset, existing.dataset_id)
        if other is not None:
            merge(session, survivor=ds, other=other)
            if on_merge is not None:
                on_merge(other)
        existing = session.get(LineageDatasetName, key)
        if existing is not None:
            existing.kind, existing.link_type = kind, link_type or existing.link_type
            return Alias(ds.namespace, ds.name, namespace, name)
    session.add(
        LineageDatasetName(
            key=key, namespace=namespace, name=name, dataset_id=ds.id, kind=kind, link_type=link_type
        )
    )
    session.flush()  # the next event of this batch must find this name (derivation runs without autoflush)
    return Alias(ds.namespace, ds.name, namespace, name)


def merge(session: Session, *, survivor: LineageDataset, other: LineageDataset) -> None:
    """Move everything of `other` onto `survivor`, then delete `other`."""
    session.flush()
    keep, gone = survivor.id, other.id
    session.execute(
        sa.update(LineageDatasetName)
        .where(LineageDatasetName.dataset_id == gone)
        .values(
            dataset_id=keep,
            kind=sa.case((LineageDatasetName.kind == "primary", "merged"), else_=LineageDatasetName.kind),
        )
    )
    _move_keyed(session, LineageRunIO, ("run_id", "direction"), gone, keep)
    _move_keyed(session, LineageEdge, ("job_id", "direction"), gone, keep)
    _move_column_edges(session, survivor, other)
    session.execute(
        sa.update(LineageDatasetVersion)
        .where(LineageDatasetVersion.dataset_id == gone)
        .values(dataset_id=keep)
    )
    _merge_attributes(survivor, other)
    session.delete(other)
    session.flush()


def _move_keyed(session: Session, model, others: tuple[str, str], gone: int, keep: int) -> None:
    # Rows of `gone` whose twin already exists on `keep` are dropped; the rest are re-pointed.
    table = model.__table__
    twin = sa.alias(table)
    clash = sa.exists().where(twin.c.dataset_id == keep, *[twin.c[col] == table.c[col] for col in others])
    session.execute(sa.delete(table).where(table.c.dataset_id == gone, clash))
    session.execute(sa.update(table).where(table.c.dataset_id == gone).values(dataset_id=keep))


def _move_column_edges(session: Session, survivor: LineageDataset, other: LineageDataset) -> None:
    col = LineageColumnEdge
    # Column lineage *into* the merged dataset: the newer declaration wins, as for one dataset.
    if (other.column_lineage_stamp or "") > (survivor.column_lineage_stamp or ""):
        session.execute(sa.delete(col).where(col.out_dataset_id == survivor.id))
        survivor.column_lineage_stamp = other.column_lineage_stamp
    else:
        session.execute(sa.delete(col).where(col.out_dataset_id == other.id))
    session.execute(sa.update(col).where(col.out_dataset_id == other.id).values(out_dataset_id=survivor.id))
    session.execute(sa.update(col).where(col.in_dataset_id == other.id).values(in_dataset_id=survivor.id))


# Attributes derived from one facet: they follow that facet when the other row's copy is newer.
FACET_ATTRIBUTES = {
    "schema": ("fields",),
    "documentation": ("description",),
    "ownership": ("owners",),
    "dataSource": ("source_name",),
    "lifecycleStateChange": ("lifecycle_state", "dropped", "dropped_at"),
}


def _merge_attributes(survivor: LineageDataset, other: LineageDataset) -> None:
    facets, stamps = dict(survivor.facets), dict(survivor.facet_stamps)
    for name, facet in other.facets.items():
        if other.facet_stamps.get(name, "") > stamps.get(name, ""):
            facets[name], stamps[name] = facet, other.facet_stamps[name]
            for attr in FACET_ATTRIBUTES.get(name, ()):
                setattr(survivor, attr, getattr(other, attr))
    survivor.facets, survivor.facet_stamps = facets, stamps
    survivor.created_at = min(survivor.created_at, other.created_at)
    survivor.updated_at = max(survivor.updated_at, other.updated_at)
    if other.last_modified_at and (
        survivor.last_modified_at is None or other.last_modified_at > survivor.last_modified_at
    ):
        survivor.last_modified_at = other.last_modified_at
    survivor.current_version = survivor.current_version or other.current_version


def aliases_of(session: Session, dataset_id: int) -> list[LineageDatasetName]:
    """Every name of a dataset except its canonical one."""
    return list(
        session.exec(
            select(LineageDatasetName)
            .where(LineageDatasetName.dataset_id == dataset_id, LineageDatasetName.kind != "primary")
            .order_by(LineageDatasetName.namespace, LineageDatasetName.name)
        ).all()
    )
