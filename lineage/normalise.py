"""Marquez-style leniency: accept what real clients send, as a normalised copy (the raw event is kept as is).

- the event kind comes from the structure (run + job, dataset, job), not from `schemaURL`;
- a missing `schemaURL` gets the 2-0-2 one for that kind;
- `eventType` may be missing (run state unchanged) or in lower case;
- facets without `_producer` / `_schemaURL` get the event's producer and a placeholder URL;
- the old Airflow `parentRun` run facet is read as `parent`;
- run ids are written in canonical lower-case UUID form.
(`eventTime` without a timezone or with nanoseconds is handled by `core.clock.parse_instant`.)
"""

from __future__ import annotations

import uuid
from typing import Any

from lineage.spec import default_schema_url

KIND_BY_KEY = {"run": "RunEvent", "dataset": "DatasetEvent", "job": "JobEvent"}
SHORT_KIND = {"RunEvent": "run", "DatasetEvent": "dataset", "JobEvent": "job"}


def detect_kind(event: dict[str, Any]) -> str | None:
    """RunEvent when it has a run, JobEvent when only a job, DatasetEvent when only a dataset."""
    if "run" in event:
        return "RunEvent"
    if "job" in event:
        return "JobEvent"
    if "dataset" in event:
        return "DatasetEvent"
    return None


def canonical_run_id(value: Any) -> Any:
    """Lower-case hyphenated UUID text, or the value unchanged when it is not a UUID."""
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            return value
    return value


def normalise(event: dict[str, Any], kind: str) -> dict[str, Any]:
    """A lenient copy of `event`; containers that change are copied, the rest shared."""
    out = dict(event)
    if "schemaURL" not in out:
        out["schemaURL"] = default_schema_url(kind)
    if isinstance(out.get("eventType"), str):
        out["eventType"] = out["eventType"].strip().upper()
    producer = out.get("producer") if isinstance(out.get("producer"), str) else "unknown"
    if isinstance(out.get("run"), dict):
        run = out["run"] = dict(out["run"])
        run["runId"] = canonical_run_id(run.get("runId"))
        facets = run.get("facets")
        if isinstance(facets, dict) and "parentRun" in facets and "parent" not in facets:
            facets = {**facets, "parent": facets["parentRun"]}
            del facets["parentRun"]
        if facets is not None:
            run["facets"] = _fill_facets(facets, producer, "RunFacet")
            _fix_parent(run)
    if isinstance(out.get("job"), dict):
        out["job"] = _with_facets(out["job"], "facets", producer, "JobFacet")
    if isinstance(out.get("dataset"), dict):
        out["dataset"] = _with_facets(out["dataset"], "facets", producer, "DatasetFacet")
    for key, extra, extra_kind in (
        ("inputs", "inputFacets", "InputDatasetFacet"),
        ("outputs", "outputFacets", "OutputDatasetFacet"),
    ):
        if isinstance(out.get(key), list):
            out[key] = [_dataset(d, producer, extra, extra_kind) for d in out[key]]
    return out


def _dataset(dataset: Any, producer: str, extra: str, extra_kind: str) -> Any:
    if not isinstance(dataset, dict):
        return dataset
    copy = _with_facets(dataset, "facets", producer, "DatasetFacet")
    return _with_facets(copy, extra, producer, extra_kind, copy=False)


def _with_facets(holder: dict, key: str, producer: str, facet_kind: str, copy: bool = True) -> dict:
    if key not in holder:
        return holder
    out = dict(holder) if copy else holder
    out[key] = _fill_facets(holder[key], producer, facet_kind)
    return out


def _fill_facets(facets: Any, producer: str, facet_kind: str) -> Any:
    if not isinstance(facets, dict):
        return facets
    filled = None
    for name, facet in facets.items():
        if isinstance(facet, dict) and ("_producer" not in facet or "_schemaURL" not in facet):
            filled = filled if filled is not None else dict(facets)
            filled[name] = {
                "_producer": producer,
                "_schemaURL": f"{default_schema_url('RunEvent').split('#')[0]}#/$defs/{facet_kind}",
                **facet,
            }
    return filled if filled is not None else facets


def _fix_parent(run: dict) -> None:
    facets = run.get("facets")
    parent = facets.get("parent") if isinstance(facets, dict) else None
    if isinstance(parent, dict) and isinstance(parent.get("run"), dict):
        parent_run = parent["run"]
        canonical = canonical_run_id(parent_run.get("runId"))
        if canonical != parent_run.get("runId"):
            run["facets"] = {**facets, "parent": {**parent, "run": {**parent_run, "runId": canonical}}}
