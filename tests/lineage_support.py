"""Helpers for lineage tests: the third-party OpenLineage corpus, event builders, a derived-state snapshot."""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from core.clock import iso

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = [
    os.environ.get("CONCORD_OPENLINEAGE_FIXTURES", ""),
    str(ROOT.parent / "shared" / "fixtures" / "openlineage"),
    str(ROOT.parent.parent / "shared" / "fixtures" / "openlineage"),
    "/work/shared/fixtures/openlineage",
]
RUN_START = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)
SPARK_CLL = "compat_spark_1.19.0_column_lineage_events.json"
DATAPROC = "compat_spark_dataproc_bigquery_events.json"
AIRFLOW = "compat_airflow_provider_1.14.0_events.json"
MARQUEZ_SEED = "marquez_docker_metadata.template.json"
MARQUEZ_CASES = "marquez_api_test_events.json"
FILES = [
    "compat_airflow_provider_1.14.0_events.json",
    "compat_spark_1.19.0_column_lineage_events.json",
    "compat_spark_dataproc_bigquery_events.json",
    "marquez_docker_metadata.template.json",
    "marquez_api_test_events.json",
]


# Per producer: (datasets, names, versions, jobs, runs, run states, edges, column edges), checked by reading the events.
EXPECTED = {
    AIRFLOW: (13, 13, 10, 16, 16, 32, 24, 16),
    SPARK_CLL: (3, 6, 3, 4, 4, 9, 5, 10),
    DATAPROC: (2, 6, 6, 6, 7, 16, 6, 2),
    MARQUEZ_SEED: (14, 14, 13, 13, 13, 26, 27, 39),
    MARQUEZ_CASES: (7, 7, 7, 4, 6, 9, 9, 0),
}
TABLES = [
    "lineage_dataset",
    "lineage_dataset_name",
    "lineage_dataset_version",
    "lineage_job",
    "lineage_run",
    "lineage_run_state",
    "lineage_edge",
    "lineage_column_edge",
]


def corpus_dir() -> Path:
    """The held-out corpus folder (set CONCORD_OPENLINEAGE_FIXTURES to point elsewhere)."""
    for candidate in CANDIDATES:
        if candidate and (Path(candidate) / FILES[0]).exists():
            return Path(candidate)
    pytest.skip("OpenLineage fixture corpus not found; set CONCORD_OPENLINEAGE_FIXTURES")


def load(name: str) -> list[dict[str, Any]]:
    """The events of one corpus file (placeholders of the Marquez seed substituted, as its seed.sh does)."""
    text = (corpus_dir() / name).read_text(encoding="utf-8")
    if "{{RUN_START_TIME}}" in text:
        text = text.replace("{{RUN_START_TIME}}", iso(RUN_START))
        text = re.sub(
            r"\{\{RUN_END_TIME_AFTER_(\d+)_MINUTES\}\}",
            lambda m: iso(RUN_START + timedelta(minutes=int(m.group(1)))),
            text,
        )
    data = json.loads(text)
    return list(data.values()) if isinstance(data, dict) else data


def marquez_cases() -> dict[str, dict[str, Any]]:
    """Marquez's API test events by name (no eventType, no timezone, DatasetEvent, JobEvent...)."""
    return json.loads((corpus_dir() / FILES[4]).read_text(encoding="utf-8"))


def all_events() -> list[dict[str, Any]]:
    """Every event of the corpus, file by file."""
    return [e for name in FILES for e in load(name)]


def run_event(
    job: str,
    *,
    event_type: str | None = "COMPLETE",
    at: str = "2024-05-01T10:00:00Z",
    run_id: str | None = None,
    inputs: list = (),
    outputs: list = (),
    namespace: str = "test",
    parent: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A minimal valid RunEvent; datasets given as (namespace, name) or full dicts."""
    event: dict[str, Any] = {
        "eventTime": at,
        "producer": "https://example.com/tests",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run_id or str(uuid.uuid4())},
        "job": {"namespace": namespace, "name": job},
        "inputs": [_ds(d) for d in inputs],
        "outputs": [_ds(d) for d in outputs],
    }
    if event_type:
        event["eventType"] = event_type
    if parent:
        event["run"]["facets"] = {
            "parent": {
                "_producer": "https://example.com/tests",
                "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/ParentRunFacet.json",
                "run": {"runId": parent[1]},
                "job": {"namespace": namespace, "name": parent[0]},
            }
        }
    return event


def _ds(d) -> dict[str, Any]:
    return d if isinstance(d, dict) else {"namespace": d[0], "name": d[1]}


def facet(**content) -> dict[str, Any]:
    """A facet with its base fields."""
    return {
        "_producer": "https://example.com/tests",
        "_schemaURL": "https://openlineage.io/spec/facets/x.json",
        **content,
    }


def column_lineage(
    mapping: dict[str, list[tuple[str, str, str]]], *, masking: bool = False
) -> dict[str, Any]:
    """A columnLineage facet: out field -> [(namespace, dataset, field)], DIRECT IDENTITY (or masked)."""
    return facet(
        fields={
            out: {
                "inputFields": [
                    {
                        "namespace": ns,
                        "name": name,
                        "field": field,
                        "transformations": [
                            {
                                "type": "DIRECT",
                                "subtype": "TRANSFORMATION" if masking else "IDENTITY",
                                "masking": masking,
                            }
                        ],
                    }
                    for ns, name, field in sources
                ]
            }
            for out, sources in mapping.items()
        }
    )


def count(db, table: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


SNAPSHOT_QUERIES = {
    "namespaces": "SELECT name, created_at, updated_at FROM lineage_namespace",
    "sources": "SELECT name, uri, created_at FROM lineage_source",
    "datasets": "SELECT namespace, name, source_name, description, lifecycle_state, dropped, dropped_at, "
    "created_at, updated_at, last_modified_at, current_version, column_lineage_stamp FROM lineage_dataset",
    "dataset_json": "SELECT namespace, name, fields, owners, facet_stamps FROM lineage_dataset",
    "names": "SELECT n.namespace, n.name, n.kind, d.namespace, d.name FROM lineage_dataset_name n "
    "JOIN lineage_dataset d ON d.id = n.dataset_id",
    "versions": "SELECT v.id, d.name, v.run_id, v.created_at, v.fields, v.lifecycle_state, v.row_count "
    "FROM lineage_dataset_version v JOIN lineage_dataset d ON d.id = v.dataset_id",
    "jobs": "SELECT j.namespace, j.name, p.name, j.io_run_id, j.latest_run_id, j.description, j.job_type, "
    "j.created_at, j.updated_at FROM lineage_job j LEFT JOIN lineage_job p ON p.id = j.parent_job_id",
    "runs": "SELECT r.id, j.name, r.state, r.started_at, r.ended_at, r.sort_at, r.parent_run_id, r.has_io, "
    "r.nominal_start, r.first_event_at, r.last_event_at FROM lineage_run r JOIN lineage_job j ON j.id = r.job_id",
    "states": "SELECT event_hash, run_id, transition, at FROM lineage_run_state",
    "run_io": "SELECT io.run_id, io.direction, d.namespace, d.name FROM lineage_run_io io "
    "JOIN lineage_dataset d ON d.id = io.dataset_id",
    "edges": "SELECT j.name, e.direction, d.namespace, d.name FROM lineage_edge e "
    "JOIN lineage_job j ON j.id = e.job_id JOIN lineage_dataset d ON d.id = e.dataset_id",
    "column_edges": "SELECT o.name, c.out_field, i.name, c.in_field, c.transformations, c.transformation_type, "
    "c.direct, c.masking FROM lineage_column_edge c JOIN lineage_dataset o ON o.id = c.out_dataset_id "
    "JOIN lineage_dataset i ON i.id = c.in_dataset_id",
}


def snapshot(db) -> dict[str, list]:
    """The derived model by natural keys (no surrogate ids), for comparing two ways of building it."""
    out = {}
    with db.engine.connect() as conn:
        for name, query in SNAPSHOT_QUERIES.items():
            rows = [tuple(_canonical(v) for v in r) for r in conn.execute(sa.text(query))]
            out[name] = sorted(rows, key=repr)
    return out


def _canonical(value):
    # SQLite hands JSON columns back as text, PostgreSQL as objects: compare them parsed, keys sorted.
    if isinstance(value, str) and value[:1] in "[{":
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value
