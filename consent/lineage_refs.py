"""OpenLineage dataset names for consent's own runs (ingestion and unification)."""

from __future__ import annotations

from collections.abc import Iterable

from core.openlineage import DatasetRef

NAMESPACE = "concord"
RECORDS = DatasetRef(NAMESPACE, "consent.records")
DECISIONS = DatasetRef(
    NAMESPACE,
    "consent.unified_decisions",
    columns=(
        ("customer_id", "string"),
        ("channel", "string"),
        ("purpose", "string"),
        ("contact_point", "string"),
        ("allowed", "boolean"),
        ("reason", "string"),
        ("policy_version", "string"),
    ),
)
INGEST_JOB = "consent.ingest"


def pull_job(source: str) -> str:
    """The OpenLineage job of pulls from one source system."""
    return f"consent.pull.{source}"


UNIFY_JOB = "consent.unify"


def source_dataset(system: str, name: str) -> DatasetRef:
    """A source system's dataset: namespace `source://<system>`, name the table, file or `api.events`."""
    return DatasetRef(f"source://{system}", name)


def api_inputs(sources: Iterable[str]) -> list[DatasetRef]:
    """Inputs of an API batch: one `api.events` dataset per source system that sent events."""
    return [source_dataset(s, "api.events") for s in sorted(set(sources))]


EXPORT_JOB = "consent.export"
EXPORT_COLUMNS = (("customer_id", "string"), ("contact_point", "string"), ("reason", "string"))


def segment_dataset(export_id: str) -> DatasetRef:
    """The uploaded segment of an export."""
    return DatasetRef(NAMESPACE, f"exports.{export_id}.segment")


def export_dataset(export_id: str) -> DatasetRef:
    """The compliant list an export published."""
    return DatasetRef(NAMESPACE, f"exports.{export_id}.compliant", columns=EXPORT_COLUMNS)
