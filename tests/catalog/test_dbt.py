"""Importing dbt artifacts: datasets, columns, descriptions, owners, tags and model dependencies."""

import json
from pathlib import Path

import pytest

from catalog.dbt import import_dbt
from catalog.details import dataset_detail
from catalog.registry import find_dataset
from catalog.search.service import search
from core.errors import InvalidInput
from tests.catalog.conftest import STEWARD

FIXTURES = Path(__file__).parent / "fixtures" / "dbt"
NS = "postgres://warehouse:5432"


@pytest.fixture
def artifacts():
    return json.loads((FIXTURES / "manifest.json").read_text()), json.loads(
        (FIXTURES / "catalog.json").read_text()
    )


def test_import_registers_models_sources_seeds_and_dependencies(db, artifacts):
    manifest, catalog = artifacts
    with db.session(write=True) as s:
        result = import_dbt(s, manifest=manifest, catalog=catalog, namespace=NS, actor=STEWARD)
        assert (result.project, result.datasets, result.created) == ("jaffle_shop", 9, 9)
        customers = find_dataset(s, namespace=NS, name="analytics.marts.customers")
        assert customers.kind == "model" and customers.row_count == 100
        assert customers.description.startswith("One row per customer")
        detail = dataset_detail(s, dataset_id=customers.id)
        cols = {c.name: c for c in detail.columns}
        assert list(cols)[:2] == ["customer_id", "first_name"]
        assert cols["customer_id"].type == "integer" and cols["customer_id"].description == "Primary key"
        assert {(o.name, o.role) for o in detail.owners} == {
            ("user:ada@example.com", "owner"),
            ("team:customer_analytics", "owner"),
        }
        assert detail.tags == ["customer360", "pii"]
        raw = find_dataset(s, namespace=NS, name="analytics.raw.customers")
        assert raw.kind == "source"
        assert "_loaded_at" in {c.name for c in dataset_detail(s, dataset_id=raw.id).columns}
        edges = {(d.upstream_name, d.downstream_name) for d in result.dependencies}
        assert ("analytics.staging.stg_orders", "analytics.marts.customers") in edges
        assert ("analytics.raw.customers", "analytics.staging.stg_customers") in edges
        assert len(edges) == 8  # tests are not datasets
        assert search(s, q="lifetime value").hits[0].id == customers.id
        again = import_dbt(s, manifest=manifest, catalog=catalog, namespace=NS, actor=STEWARD)
        assert (again.created, again.new_versions) == (0, 0)


def test_manifest_only_uses_documented_columns_and_default_namespace(db, artifacts):
    manifest, _ = artifacts
    with db.session(write=True) as s:
        result = import_dbt(s, manifest=manifest, actor=STEWARD)
        assert result.namespace == "postgres://jaffle_shop"
        orders = find_dataset(s, namespace=result.namespace, name="analytics.marts.orders")
        assert orders.current_version == 1


def test_not_a_manifest_is_rejected_naming_the_field(db):
    with db.session(write=True) as s:
        with pytest.raises(InvalidInput) as err:
            import_dbt(s, manifest={"nodes": {}}, actor=STEWARD)
        assert err.value.field == "manifest.metadata"
        with pytest.raises(InvalidInput) as err:
            import_dbt(s, manifest={"metadata": {}, "nodes": []}, actor=STEWARD)
        assert err.value.field == "manifest.nodes"
