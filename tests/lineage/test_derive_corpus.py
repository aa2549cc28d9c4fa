"""The derived model built from real third-party events (Airflow, Spark, Marquez seed), on both databases."""

import pytest
from sqlmodel import select

from core.audit import SYSTEM
from lineage import get_dataset, get_job, get_run, ingest_event, list_runs
from lineage.column_graph import column_lineage_graph
from lineage.models import LineageDataset
from tests.lineage_support import (
    AIRFLOW,
    DATAPROC,
    EXPECTED,
    FILES,
    MARQUEZ_SEED,
    SPARK_CLL,
    TABLES,
    count,
    load,
)


def ingest(db, events):
    with db.session(write=True) as session:
        return [ingest_event(session, event=e, actor=SYSTEM) for e in events]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_counts_per_producer(db, name):
    events = load(name)
    assert all(r.status == "stored" for r in ingest(db, events))
    assert tuple(count(db, t) for t in TABLES) == EXPECTED[name]
    assert count(db, "lineage_event") == len(events)


def test_spark_join_column_lineage(db):
    ingest(db, load(SPARK_CLL))
    with db.session() as session:
        graph = column_lineage_graph(session, node_id="dataset:file:/tmp/cll_test/tbl1", depth=1)
    nodes = {n.id.rsplit(":", 1)[-1] if "tbl1" in n.id else n.id: n for n in graph.graph}
    inputs = {
        field: {
            (i["dataset"].rsplit("/", 1)[-1], i["field"], tuple(t["subtype"] for t in i["transformations"]))
            for i in nodes[field].data["inputFields"]
        }
        for field in ("ident", "trans", "agg")
    }
    # CTAS: SELECT a AS ident, concat(b) AS trans, sum(c) AS agg FROM s1 JOIN s2 ON a WHERE ... GROUP BY a, b
    assert ("cll_source1", "a", ("IDENTITY", "GROUP_BY", "JOIN", "FILTER")) in inputs["ident"]
    assert ("cll_source1", "b", ("TRANSFORMATION", "GROUP_BY")) in inputs["trans"]
    assert ("cll_source2", "c", ("AGGREGATION",)) in inputs["agg"]
    assert {f for f, _, _ in inputs["agg"]} == {"cll_source1", "cll_source2"}
    agg = {(i["dataset"].rsplit("/", 1)[-1], i["field"]): i for i in nodes["agg"].data["inputFields"]}
    assert agg["cll_source2", "c"]["direct"] is True and agg["cll_source2", "c"]["masking"] is False
    assert agg["cll_source2", "a"]["direct"] is False  # join key: the value does not flow into agg
    assert nodes["agg"].data["fieldType"] == "long"
    assert len(graph.graph) == 3 + 4  # three output fields, four input fields (s1.a, s1.b, s2.a, s2.c)


def test_airflow_parent_and_children(db):
    ingest(db, load(AIRFLOW))
    with db.session() as session:
        dag = get_job(session, namespace="airflow", name="gcs_hook")
        task = get_job(session, namespace="airflow", name="BQ.upload")
        runs = list_runs(session, namespace="airflow", job="BQ.upload")
    assert len(dag["children"]) == 9
    assert {"namespace": "airflow", "name": "gcs_hook.compose_task"} in dag["children"]
    assert dag["parentJobName"] is None
    assert task["parentJobName"] == "BQ" and task["simpleName"] == "upload"
    assert [i["name"] for i in task["inputs"]] == ["copied.csv", "test.csv"]
    assert task["outputs"] == [{"namespace": "bigquery", "name": "mock-project.test.upload"}]
    (run,) = runs.items
    assert run["state"] == "COMPLETED"
    assert [s["state"] for s in run["states"]] == ["START", "COMPLETE"]
    assert run["parentRunId"] == "01936893-9751-7a91-a2a0-a51101a3970c"
    assert run["durationMs"] == 4058  # 13:05:25.547948 -> 13:05:29.606867


def test_symlinks_resolve_to_one_dataset(db):
    ingest(db, load(DATAPROC))
    with db.session() as session:
        by_hive = get_dataset(session, namespace="hive://dataproc-producer-test-m:9083", name="default.t1")
        by_path = get_dataset(
            session, namespace="hdfs://dataproc-producer-test-m", name="/user/hive/warehouse/t1"
        )
    assert (
        by_hive["id"]
        == by_path["id"]
        == {"namespace": "hdfs://dataproc-producer-test-m", "name": "/user/hive/warehouse/t1"}
    )
    assert {(a["namespace"], a["name"]) for a in by_path["aliases"]} == {
        ("hive://dataproc-producer-test-m:9083", "default.t1"),
        ("hdfs://dataproc-producer-test-m/user/hive/warehouse", "default.t1"),
    }


def test_drop_marks_the_dataset_and_a_later_create_revives_it(db):
    events = load(DATAPROC)
    ingest(db, events[:4])  # the application starts, drops t1 (START, COMPLETE) and drops t2
    with db.session() as session:
        t2 = get_dataset(session, namespace="hdfs://dataproc-producer-test-m", name="/user/hive/warehouse/t2")
    assert (
        t2["deleted"] is True
        and t2["lastLifecycleState"] == "DROP"
        and t2["droppedAt"] == "2024-10-17T09:18:14.923000Z"
    )
    ingest(db, events[4:])
    with db.session() as session:
        t2 = get_dataset(session, namespace="hdfs://dataproc-producer-test-m", name="/user/hive/warehouse/t2")
        rows = session.exec(select(LineageDataset)).all()
    assert t2["deleted"] is False and t2["lastLifecycleState"] == "CREATE"
    assert len(rows) == 2  # dropped datasets are marked, never deleted


def test_marquez_seed_schema_docs_sources_and_freshness(db):
    ingest(db, load(MARQUEZ_SEED))
    with db.session() as session:
        orders = get_dataset(session, namespace="food_delivery", name="public.orders_7_days")
    assert orders["sourceName"] == "food_delivery_db"
    assert orders["description"] == "A table for weekly orders."
    assert [f["name"] for f in orders["fields"]][:3] == ["order_id", "placed_on", "discount_id"]
    assert (
        orders["lastModifiedAt"] == "2024-03-01T06:07:00Z"
    )  # etl_orders_7_days completed 7 minutes after start
    assert orders["currentVersion"]


def test_static_dataset_and_job_events(db):
    from tests.lineage_support import marquez_cases

    cases = marquez_cases()
    ingest(db, [cases["event_dataset_event"], cases["event_job_event"]])
    with db.session() as session:
        ds = get_dataset(session, namespace="my-dataset-namespace", name="my-dataset-name")
        job = get_job(session, namespace="my-scheduler-namespace", name="myjob")
    assert [f["name"] for f in ds["fields"]] == ["col_a"]
    assert [o["name"] for o in job["outputs"]] == ["instance.schema.output-1"]
    assert job["latestRun"] is None  # a JobEvent is design-time lineage, not a run


def test_every_file_together(db):
    events = [e for name in FILES for e in load(name)]
    ingest(db, events)
    assert count(db, "lineage_event") == 94
    assert count(db, "lineage_namespace") == 14
    with db.session() as session, pytest.raises(Exception) as missing:
        get_run(session, run_id="00000000-0000-0000-0000-000000000000")
    assert missing.value.status == 404
