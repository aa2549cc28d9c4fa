"""The catalogue for page tests: the sample company's sources scanned, metrics loaded, and a lineage chain.

The chain runs from the CRM's `contacts` through a warehouse job to `dim_customer`, and on to a marketing
audience, with column lineage (email and names) at each step, so pages have upstream and downstream.
"""

from __future__ import annotations

import contextlib
import types
from dataclasses import dataclass

from catalog import registry
from core.audit import SYSTEM
from lineage import ingest_event
from sample_data.catalog_loader import load_catalog
from tests.lineage_support import column_lineage, facet, run_event

WAREHOUSE = "postgres://warehouse.internal:5432"


@dataclass(frozen=True)
class Seeded:
    """Ids of the datasets tests open."""

    contacts: str
    dim_customer: str
    audience: str
    crm_namespace: str


def _schema(*names: str) -> dict:
    return facet(fields=[{"name": n, "type": "VARCHAR"} for n in names])


def _dataset(namespace: str, name: str, *fields: str, lineage: dict | None = None) -> dict:
    facets = {"schema": _schema(*fields)}
    if lineage:
        facets["columnLineage"] = lineage
    return {"namespace": namespace, "name": name, "facets": facets}


@contextlib.contextmanager
def _quiet_bar(**_kwargs):
    yield types.SimpleNamespace(update=lambda n=1: None)


def load(runtime, manifest) -> Seeded:
    """Scan the sample sources (as the demo does) and record the lineage chain through the lineage service."""
    load_catalog(runtime, manifest, _quiet_bar)
    crm = f"sqlite://{manifest.source_db('crm')}"
    dim = "analytics.public.dim_customer"
    audience = "analytics.public.newsletter_audience"
    build = column_lineage(
        {
            "email": [(crm, "contacts", "email")],
            "first_name": [(crm, "contacts", "first_name")],
            "last_name": [(crm, "contacts", "last_name")],
        }
    )
    events = [
        run_event(
            "warehouse.build_dim_customer",
            namespace="warehouse",
            at="2025-05-31T02:00:00Z",
            inputs=[(crm, "contacts")],  # the scan owns its schema: the event only names it
            outputs=[
                _dataset(WAREHOUSE, dim, "customer_id", "first_name", "last_name", "email", lineage=build)
            ],
        ),
        run_event(
            "marketing.newsletter_audience",
            namespace="marketing",
            at="2025-05-31T03:00:00Z",
            inputs=[_dataset(WAREHOUSE, dim, "customer_id", "first_name", "last_name", "email")],
            outputs=[
                _dataset(
                    WAREHOUSE,
                    audience,
                    "email",
                    "greeting",
                    lineage=column_lineage(
                        {"email": [(WAREHOUSE, dim, "email")], "greeting": [(WAREHOUSE, dim, "first_name")]}
                    ),
                )
            ],
        ),
    ]
    with runtime.db.session(write=True) as session:
        for event in events:
            ingest_event(session, event=event, actor=SYSTEM)
    with runtime.db.session() as session:
        ids = [registry.find_dataset(session, namespace=ns, name=n) for ns, n in
               ((crm, "contacts"), (WAREHOUSE, dim), (WAREHOUSE, audience))]  # fmt: skip
    assert all(ids), "the lineage events should have registered the warehouse datasets in the catalogue"
    return Seeded(ids[0].id, ids[1].id, ids[2].id, crm)
