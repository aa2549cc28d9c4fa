"""Column lineage from the `columnLineage` dataset facet: one edge per (input field, output field).

An output dataset's column edges are those of the latest facet declaring them (1-2-0 `transformations`
with type, subtype, description and `masking`; the deprecated field-level `transformationType`
IDENTITY | MASKED is kept too). Entries under the facet's `dataset` key depend on the whole output
(filters, joins) and are stored with an empty output field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from lineage.models import LineageDataset
from lineage.models_graph import LineageColumnEdge

WHOLE_DATASET = ""
Resolver = Callable[[str, str], LineageDataset]


def apply(
    session: Session,
    out: LineageDataset,
    facet: dict[str, Any],
    *,
    stamp: str,
    resolve: Resolver,
    job_id: int | None,
    content_changed: bool,
) -> bool:
    """Replace the output's column edges with this facet's, unless a later facet already defined them.

    A facet with the same content as the one the edges came from only moves the stamp forward
    (producers resend it with every event of every run).
    """
    previous = out.column_lineage_stamp
    if (previous or "") > stamp:
        return False
    out.column_lineage_stamp = stamp
    if previous is not None and not content_changed:
        return False
    session.execute(sa.delete(LineageColumnEdge).where(LineageColumnEdge.out_dataset_id == out.id))
    if facet.get("_deleted") is True:
        return True
    rows: dict[tuple[str, int, str], dict[str, Any]] = {}
    for out_field, spec in (facet.get("fields") or {}).items():
        for source in spec.get("inputFields") or []:
            _add(rows, out.id, out_field, source, spec, resolve)
    for source in facet.get("dataset") or []:
        _add(rows, out.id, WHOLE_DATASET, source, {}, resolve)
    for row in rows.values():
        row["job_id"] = job_id
        row["direct"], row["masking"] = carries_values(row), is_masking(row)
    if rows:
        session.execute(sa.insert(LineageColumnEdge.__table__), list(rows.values()))
    return True


def _add(rows, out_id: int, out_field: str, source: dict, spec: dict, resolve: Resolver) -> None:
    in_ds = resolve(source["namespace"], source["name"])
    key = (out_field, in_ds.id, source["field"])
    row = rows.get(key)
    transformations = [_transformation(t) for t in source.get("transformations") or []]
    if row is None:
        rows[key] = {
            "out_dataset_id": out_id,
            "out_field": out_field,
            "in_dataset_id": in_ds.id,
            "in_field": source["field"],
            "transformations": transformations,
            "transformation_type": (spec.get("transformationType") or None)
            and spec["transformationType"][:40],
            "transformation_description": spec.get("transformationDescription"),
        }
    else:  # the same input named twice (e.g. through two aliases): keep every transformation once
        row["transformations"] += [t for t in transformations if t not in row["transformations"]]


def _transformation(t: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": t.get("type"),
        "subtype": t.get("subtype"),
        "description": t.get("description"),
        "masking": bool(t.get("masking")),
    }


def carries_values(row: dict[str, Any]) -> bool:
    """Whether output values come from the input's values (DIRECT), not just depend on it (INDIRECT).

    With no transformation detail (older producers), a field-level mapping is taken as direct; a
    dataset-wide dependency is indirect.
    """
    transformations = row["transformations"]
    if transformations:
        return any(t["type"] == "DIRECT" for t in transformations)
    return row["out_field"] != WHOLE_DATASET


def is_masking(row: dict[str, Any]) -> bool:
    """Whether the mapping hides the input's values (masking: true, or the deprecated MASKED type)."""
    if (row.get("transformation_type") or "").upper() == "MASKED":
        return True
    direct = [t for t in row["transformations"] if t["type"] == "DIRECT"]
    return bool(direct) and all(t["masking"] for t in direct)
