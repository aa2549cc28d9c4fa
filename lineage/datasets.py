"""Datasets in the derived model: resolution through their names, facets, schema, lifecycle and versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from lineage.models import LineageDataset, LineageDatasetName, LineageDatasetVersion, LineageSource
from lineage.storage import merge_facets, name_key

VERSION_NAMESPACE = uuid.UUID("5b0c7f0e-6f7e-4b52-9a57-1c0f3f4f2d11")


def resolve(session: Session, namespace: str, name: str) -> LineageDataset | None:
    """The dataset known under (namespace, name), following symlinks and renames."""
    return session.exec(
        select(LineageDataset)
        .join(LineageDatasetName, LineageDatasetName.dataset_id == LineageDataset.id)
        .where(LineageDatasetName.key == name_key(namespace, name))
    ).first()


def ensure(session: Session, namespace: str, name: str, at: datetime) -> tuple[LineageDataset, bool]:
    """The dataset for (namespace, name), created with no facets when first seen; (row, created)."""
    found = resolve(session, namespace, name)
    if found is not None:
        if at < found.created_at:
            found.created_at = at
        if at > found.updated_at:
            found.updated_at = at
        return found, False
    row = LineageDataset(
        key=name_key(namespace, name), namespace=namespace, name=name, created_at=at, updated_at=at
    )
    session.add(row)
    session.flush()
    session.add(
        LineageDatasetName(key=row.key, namespace=namespace, name=name, dataset_id=row.id, kind="primary")
    )
    return row, True


def apply_facets(
    session: Session, ds: LineageDataset, facets: dict[str, Any] | None, at: datetime, stamp: str
) -> set[str]:
    """Merge an event's dataset facets (latest wins per facet) and refresh what is derived from them."""
    if isinstance((facets or {}).get("dataSource"), dict):
        _source(session, facets["dataSource"], at)
    merged, stamps, changed = merge_facets(ds.facets, ds.facet_stamps, facets, stamp)
    if not changed:
        return changed
    ds.facets, ds.facet_stamps = merged, stamps
    if "schema" in changed:
        ds.fields = schema_fields(merged.get("schema"))
    if "documentation" in changed:
        ds.description = (merged.get("documentation") or {}).get("description")
    if "ownership" in changed:
        ds.owners = owners(merged.get("ownership"))
    if "dataSource" in changed:
        ds.source_name = source_name(merged.get("dataSource"))
    if "lifecycleStateChange" in changed:
        state = (merged.get("lifecycleStateChange") or {}).get("lifecycleStateChange")
        ds.lifecycle_state = state
        ds.dropped = state == "DROP"
        ds.dropped_at = at if ds.dropped else None
    return changed


def schema_fields(facet: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Marquez-shaped fields `{name, type, tags, description}` (nested fields kept under `fields`)."""
    if not facet:
        return []
    out = []
    for field in facet.get("fields") or []:
        item = {
            "name": field["name"],
            "type": field.get("type"),
            "tags": [],
            "description": field.get("description"),
        }
        if field.get("fields"):
            item["fields"] = schema_fields(field)
        out.append(item)
    return out


def owners(facet: dict[str, Any] | None) -> list[list[str | None]]:
    """[[name, type], ...] from an ownership facet."""
    return [[o["name"], o.get("type")] for o in (facet or {}).get("owners") or []]


def source_name(facet: dict[str, Any] | None) -> str | None:
    """The source a dataSource facet names (its name, else its URI)."""
    name = (facet or {}).get("name") or (facet or {}).get("uri")
    return name[:512] if name else None


def _source(session: Session, facet: dict[str, Any], at: datetime) -> None:
    name = source_name(facet)
    if not name:
        return
    source = session.exec(select(LineageSource).where(LineageSource.name == name)).first()
    if source is None:
        session.add(LineageSource(name=name, uri=facet.get("uri"), created_at=at, updated_at=at))
    else:
        source.created_at = min(source.created_at, at)
        if at >= source.updated_at:
            source.uri, source.updated_at = facet.get("uri") or source.uri, at


def version_id(namespace: str, name: str, origin: str) -> str:
    """A stable version id from the dataset's name as sent and what made the version (run or event)."""
    return str(uuid.uuid5(VERSION_NAMESPACE, f"{namespace}\x00{name}\x00{origin}"))


def record_version(
    session: Session,
    ds: LineageDataset,
    *,
    vid: str,
    run_id: str | None,
    at: datetime,
    stamp: str,
    schema: dict[str, Any] | None,
    lifecycle: str | None,
    row_count: int | None,
) -> LineageDatasetVersion:
    """Create or update a version; the dataset's current version is its latest one."""
    version = session.get(LineageDatasetVersion, vid)
    if version is None:
        version = LineageDatasetVersion(id=vid, dataset_id=ds.id, run_id=run_id, created_at=at)
        session.add(version)
    elif at < version.created_at:
        version.created_at = at
    newest = stamp >= version.fields_stamp
    if schema is not None and newest:
        version.fields, version.fields_stamp = schema_fields(schema), stamp
    if lifecycle and (newest or version.lifecycle_state is None):
        version.lifecycle_state = lifecycle
    if row_count is not None:
        version.row_count = row_count
    # Recomputed rather than compared: an earlier event of another version may arrive later.
    session.flush()
    ds.current_version = session.exec(
        select(LineageDatasetVersion.id)
        .where(LineageDatasetVersion.dataset_id == ds.id)
        .order_by(LineageDatasetVersion.created_at.desc(), LineageDatasetVersion.id.desc())
        .limit(1)
    ).first()
    return version
