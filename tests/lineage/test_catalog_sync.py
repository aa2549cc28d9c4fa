"""Datasets seen in lineage land in the catalogue; PII classes travel along column lineage (not masked)."""

import catalog
from catalog.classification.service import column_classes, decide
from core.audit import SYSTEM
from lineage import ingest_event, rebuild
from lineage.propagation import propagate_all
from tests.lineage_support import DATAPROC, MARQUEZ_SEED, column_lineage, facet, load, run_event

PG = "postgres://crm-db:5432"


def ingest(db, *events):
    with db.session(write=True) as session:
        for event in events:
            ingest_event(session, event=event, actor=SYSTEM)


def classes(db, name):
    with db.session() as session:
        found = catalog.find_dataset(session, namespace=PG, name=name)
        return {
            (c.column, c.pii_class, c.status, c.source, c.from_node)
            for c in column_classes(session, dataset_id=found.id)
        }


def confirm(db, name, column, pii_class, decision="confirm"):
    with db.session(write=True) as session:
        found = catalog.find_dataset(session, namespace=PG, name=name)
        decide(
            session, dataset_id=found.id, column=column, pii_class=pii_class, decision=decision, actor=SYSTEM
        )


def test_datasets_are_registered_with_schema_docs_owners_and_freshness(db):
    ingest(db, *load(MARQUEZ_SEED))
    with db.session() as session:
        orders = catalog.find_dataset(session, namespace="food_delivery", name="public.orders_7_days")
        owners = catalog.dataset_owners(session, namespace="food_delivery", name="public.orders_7_days")
    assert orders is not None and orders.origin == "openlineage"
    assert orders.description == "A table for weekly orders."
    assert orders.source_system == "food_delivery_db"
    assert (
        orders.last_updated_at is not None
        and orders.last_updated_at.isoformat() == "2024-03-01T06:07:00+00:00"
    )
    assert owners == []  # the seed sends no ownership facet


def test_owners_drop_and_aliases_reach_the_catalogue(db):
    owned = {
        "namespace": PG,
        "name": "mart.customers",
        "facets": {
            "ownership": facet(owners=[{"name": "team:crm", "type": "MAINTAINER"}]),
            "schema": facet(fields=[{"name": "email", "type": "TEXT"}]),
        },
    }
    ingest(db, run_event("build", outputs=[owned]))
    ingest(db, *load(DATAPROC)[:4])  # drops t1 and t2
    with db.session() as session:
        owners = catalog.dataset_owners(session, namespace=PG, name="mart.customers")
        t2 = catalog.find_dataset(
            session, namespace="hdfs://dataproc-producer-test-m", name="/user/hive/warehouse/t2"
        )
        by_alias = catalog.find_dataset(
            session, namespace="hdfs://dataproc-producer-test-m/user/hive/warehouse", name="default.t2"
        )
    assert [(o.name, o.role) for o in owners] == [("team:crm", "maintainer")]
    assert t2.status == "dropped"
    assert by_alias is not None and by_alias.id == t2.id
    ingest(db, *load(DATAPROC)[4:])  # CREATE TABLE t2 AS SELECT ...: it exists again
    with db.session() as session:
        assert (
            catalog.find_dataset(
                session, namespace="hdfs://dataproc-producer-test-m", name="/user/hive/warehouse/t2"
            ).status
            == "active"
        )


def _mapped(name, mapping, *, masking=False, indirect=()):
    lineage_facet = column_lineage(mapping, masking=masking)
    for out in indirect:  # a join key: the output depends on it but carries none of its values
        lineage_facet["fields"][out] = {
            "inputFields": [
                {
                    "namespace": PG,
                    "name": "crm.contacts",
                    "field": "email",
                    "transformations": [{"type": "INDIRECT", "subtype": "JOIN"}],
                }
            ]
        }
    fields = [{"name": f, "type": "TEXT"} for f in [*mapping, *indirect]]
    return {
        "namespace": PG,
        "name": name,
        "facets": {"schema": facet(fields=fields), "columnLineage": lineage_facet},
    }


def test_classes_propagate_along_direct_unmasked_lineage(db):
    contacts = {
        "namespace": PG,
        "name": "crm.contacts",
        "facets": {"schema": facet(fields=[{"name": "email", "type": "TEXT"}])},
    }
    ingest(db, run_event("load", outputs=[contacts]))
    confirm(db, "crm.contacts", "email", "email")
    ingest(
        db,
        run_event(
            "copy",
            inputs=[(PG, "crm.contacts")],
            outputs=[
                _mapped("mart.customers", {"email": [(PG, "crm.contacts", "email")]}, indirect=["segment"])
            ],
        ),
        run_event(
            "hash",
            inputs=[(PG, "crm.contacts")],
            outputs=[_mapped("mart.hashed", {"email_sha": [(PG, "crm.contacts", "email")]}, masking=True)],
        ),
    )
    assert classes(db, "mart.customers") == {
        ("email", "email", "suggested", "propagated", f"datasetField:{PG}:crm.contacts:email")
    }
    assert classes(db, "mart.hashed") == set()  # masking stops it


def test_chain_propagates_even_when_downstream_lineage_came_first(db):
    contacts = {
        "namespace": PG,
        "name": "crm.contacts",
        "facets": {"schema": facet(fields=[{"name": "email", "type": "TEXT"}])},
    }
    ingest(db, run_event("load", outputs=[contacts]))
    confirm(db, "crm.contacts", "email", "email")
    ingest(
        db,
        run_event(
            "export",
            inputs=[(PG, "mart.customers")],
            outputs=[_mapped("out.segment", {"addr": [(PG, "mart.customers", "email")]})],
        ),
    )
    assert classes(db, "out.segment") == set()  # mart.customers is not classified yet
    ingest(
        db,
        run_event(
            "copy",
            inputs=[(PG, "crm.contacts")],
            outputs=[_mapped("mart.customers", {"email": [(PG, "crm.contacts", "email")]})],
        ),
    )
    assert {c[:2] for c in classes(db, "out.segment")} == {("addr", "email")}


def test_rejected_class_is_not_propagated_again_and_full_pass(db):
    contacts = {
        "namespace": PG,
        "name": "crm.contacts",
        "facets": {"schema": facet(fields=[{"name": "phone", "type": "TEXT"}])},
    }
    ingest(
        db,
        run_event("load", outputs=[contacts]),
        run_event(
            "copy",
            inputs=[(PG, "crm.contacts")],
            outputs=[_mapped("mart.people", {"tel": [(PG, "crm.contacts", "phone")]})],
        ),
    )
    confirm(db, "crm.contacts", "phone", "phone_number")  # classified after the lineage arrived
    assert classes(db, "mart.people") == set()
    with db.session(write=True) as session:
        assert propagate_all(session, actor=SYSTEM).propagated == 1
    assert {c[:3] for c in classes(db, "mart.people")} == {("tel", "phone_number", "suggested")}
    confirm(db, "mart.people", "tel", "phone_number", decision="reject")
    with db.session(write=True) as session:
        again = propagate_all(session, actor=SYSTEM)
        rebuild(session, actor=SYSTEM)  # re-registers everything; the steward's decision stands
    assert again.propagated == 0
    assert {c[:3] for c in classes(db, "mart.people")} == {("tel", "phone_number", "rejected")}
