"""The demo's catalogue loader over the generated sample company."""

from catalog.details import list_datasets
from catalog.metrics import get_metric
from sample_data.catalog_demo import load_catalog
from sample_data.loaders import progress_bar


def test_demo_loader_scans_the_five_sources_and_loads_metrics(runtime, sample_manifest):
    summary = load_catalog(runtime, sample_manifest, progress_bar)
    assert summary.startswith(f"{len(sample_manifest.tables)} tables from 5 sources")
    again = load_catalog(runtime, sample_manifest, progress_bar)
    assert "0 PII suggestions" in again
    with runtime.db.session() as s:
        total, _ = list_datasets(s, limit=1)
        assert total == len(sample_manifest.tables)
        churn = get_metric(s, key="churn_rate")
        assert churn.certification == "certified" and all(link.dataset_id for link in churn.links)
