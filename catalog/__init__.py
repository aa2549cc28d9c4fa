"""The catalogue: datasets, columns, schema versions, classification, owners, glossary, certification,
freshness, usage, search, the source scanner and the dbt import.

The names below are the interface other packages (lineage) call; see README.md.
"""

from catalog.classification.service import propagate_classification
from catalog.freshness import Update, record_updates
from catalog.registry import (
    add_alias,
    dataset_owners,
    find_dataset,
    mark_dropped,
    record_update,
    register_dataset,
)
from catalog.results import ColumnSpec, DatasetSummary, Owner, RegisteredDataset
from catalog.search.index import deferred as deferred_reindex

__all__ = [
    "ColumnSpec",
    "DatasetSummary",
    "Owner",
    "RegisteredDataset",
    "Update",
    "add_alias",
    "dataset_owners",
    "deferred_reindex",
    "find_dataset",
    "mark_dropped",
    "propagate_classification",
    "record_update",
    "record_updates",
    "register_dataset",
]
