"""lineage package."""
