"""Datasets in the derived model: resolution through their names, facets, schema, lifecycle and versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from lineage.models import LineageDataset, LineageDatasetName, LineageDatasetVersion
from lineage.row_cache import RowCache
from lineage.storage import FacetMerge, apply_merge, latest_per, merge_facets, name_key

VERSION_NAMESPACE = uuid.UUID("5b0c7f0e-6f7e-4b52-9a57-1c0f3f4f2d11")


def resolve(session: Session, namespace: str, name: str) -> LineageDataset | None:
    """The dataset known under (namespace, name), following symlinks and renames."""
    return session.exec(
        select(LineageDataset)
        .join(LineageDatasetName, LineageDatasetName.dataset_id == LineageDataset.id)
        .where(LineageDatasetName.key == name_key(namespace, name))
    ).first()


def apply_facets(
    cache: RowCache, ds: LineageDataset, facets: dict[str, Any] | None, at: datetime, stamp: str
) -> FacetMerge:
    """Merge an event's dataset facets (latest wins per facet), refresh what is derived from them; the merge."""
    source = (facets or {}).get("dataSource")
    if isinstance(source, dict) and source_name(source):
        cache.source(source_name(source), source.get("uri"), at)
    merge = merge_facets(ds.facets, ds.facet_stamps, facets, stamp)
    apply_merge(ds, merge)
    changed, merged = merge.changed, merge.facets
    if "schema" in changed:
        ds.fields = schema_fields(merged.get("schema"))
    if "documentation" in changed:
        ds.description = (merged.get("documentation") or {}).get("description")
    if "ownership" in changed:
        ds.owners = owners(merged.get("ownership"))
    if "dataSource" in changed:
        ds.source_name = source_name(merged.get("dataSource"))
    if "lifecycleStateChange" in merge.restamped:
        state = (merged.get("lifecycleStateChange") or {}).get("lifecycleStateChange")
        ds.lifecycle_state = state
        ds.dropped = state == "DROP"
        ds.dropped_at = at if ds.dropped else None  # the latest event that said DROP
    return merge


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


def version_id(namespace: str, name: str, origin: str) -> str:
    """A stable version id from the dataset's name as sent and what made the version (run or event)."""
    return str(uuid.uuid5(VERSION_NAMESPACE, f"{namespace}\x00{name}\x00{origin}"))


def record_version(
    cache: RowCache,
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
    """Create or update a version (the dataset's current version is settled per batch: `refresh_current`)."""
    version = cache.version(vid, ds.id, run_id, at)
    version.dataset_id = ds.id
    newest = stamp >= version.fields_stamp
    if schema is not None and newest:
        version.fields, version.fields_stamp = schema_fields(schema), stamp
    if lifecycle and (newest or version.lifecycle_state is None):
        version.lifecycle_state = lifecycle
    if row_count is not None:
        version.row_count = row_count
    return version


def refresh_current(session: Session, datasets: dict[int, LineageDataset]) -> None:
    """Each dataset's current version is its latest (recomputed: events of one version may arrive late)."""
    table = LineageDatasetVersion.__table__
    for dataset_id, vid in latest_per(
        session, table, "dataset_id", list(datasets), ("created_at", "id")
    ).items():
        datasets[dataset_id].current_version = vid
