"""lineage: OpenLineage ingest and store, graph and column-lineage queries, impact, retention (see README.md)."""

from lineage.column_graph import column_lineage_graph
from lineage.deriver import derive_soon, drain
from lineage.graph import Graph, GraphNode, lineage_graph
from lineage.impact import ImpactReport, impact
from lineage.ingest import BatchResult, IngestResult, check_batch, ingest_batch, ingest_event
from lineage.listing import (
    get_dataset,
    get_job,
    get_run,
    list_dataset_versions,
    list_datasets,
    list_jobs,
    list_namespaces,
    list_runs,
    list_sources,
)
from lineage.pipeline import INTERNAL, PendingStatus, derive_pending, pending_status, retry_failed
from lineage.propagation import propagate_all
from lineage.raw_store import page as event_page
from lineage.rebuild import rebuild
from lineage.retention import purge_events, purge_expired
from lineage.validate import ParsedEvent, parse_body, parse_event

__all__ = [
    "INTERNAL",
    "BatchResult",
    "Graph",
    "GraphNode",
    "ImpactReport",
    "IngestResult",
    "ParsedEvent",
    "PendingStatus",
    "check_batch",
    "column_lineage_graph",
    "derive_pending",
    "derive_soon",
    "drain",
    "event_page",
    "get_dataset",
    "get_job",
    "get_run",
    "impact",
    "ingest_batch",
    "ingest_event",
    "lineage_graph",
    "list_dataset_versions",
    "list_datasets",
    "list_jobs",
    "list_namespaces",
    "list_runs",
    "list_sources",
    "parse_body",
    "parse_event",
    "pending_status",
    "propagate_all",
    "purge_events",
    "purge_expired",
    "rebuild",
    "retry_failed",
]
