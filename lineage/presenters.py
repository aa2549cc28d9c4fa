"""Marquez-shaped representations of datasets, jobs and runs (camelCase keys, ISO instants)."""

from __future__ import annotations

from typing import Any

from core.clock import iso
from lineage.models import LineageDataset
from lineage.models_graph import LineageJob, LineageRun
from lineage.runs import duration_ms


def dataset(ds: LineageDataset) -> dict[str, Any]:
    """A dataset as Marquez returns it (without facets; see `dataset_detail`)."""
    return {
        "id": {"namespace": ds.namespace, "name": ds.name},
        "type": "DB_TABLE",
        "name": ds.name,
        "physicalName": ds.name,
        "createdAt": iso(ds.created_at),
        "updatedAt": iso(ds.updated_at),
        "namespace": ds.namespace,
        "sourceName": ds.source_name,
        "fields": ds.fields,
        "tags": [],
        "lastModifiedAt": iso(ds.last_modified_at),
        "lastLifecycleState": ds.lifecycle_state,
        "description": ds.description,
        "owners": [{"name": name, "type": kind} for name, kind in ds.owners],
        "currentVersion": ds.current_version,
        "deleted": ds.dropped,
        "droppedAt": iso(ds.dropped_at),
    }


def job(
    row: LineageJob,
    *,
    inputs: list[dict[str, str]],
    outputs: list[dict[str, str]],
    latest_run: LineageRun | None,
    parent: LineageJob | None,
) -> dict[str, Any]:
    """A job as Marquez returns it, with its parent and latest run."""
    return {
        "id": {"namespace": row.namespace, "name": row.name},
        "type": row.processing_type or "BATCH",
        "jobType": row.job_type,
        "integration": row.integration,
        "name": row.name,
        "simpleName": row.name.rsplit(".", 1)[-1] if parent is not None else row.name,
        "parentJobName": parent.name if parent is not None else None,
        "parentJob": {"namespace": parent.namespace, "name": parent.name} if parent is not None else None,
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
        "namespace": row.namespace,
        "inputs": inputs,
        "outputs": outputs,
        "description": row.description,
        "latestRun": run(latest_run) if latest_run is not None else None,
    }


def run(row: LineageRun, states: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A run: state, start, end, duration, nominal time, parent run; with its state history if given."""
    out = {
        "id": row.id,
        "state": row.state,
        "createdAt": iso(row.first_event_at),
        "updatedAt": iso(row.last_event_at),
        "startedAt": iso(row.started_at),
        "endedAt": iso(row.ended_at),
        "durationMs": duration_ms(row),
        "nominalStartTime": iso(row.nominal_start),
        "nominalEndTime": iso(row.nominal_end),
        "parentRunId": row.parent_run_id,
    }
    if states is not None:
        out["states"] = states
    return out


def name_ref(namespace: str, name: str) -> dict[str, str]:
    return {"namespace": namespace, "name": name}
