"""Lineage queries over HTTP in Marquez's shape: graph, column lineage, impact, listings, raw event log."""

from urllib.parse import quote

import pytest

import lineage
from core.audit import SYSTEM
from tests.lineage_support import AIRFLOW, DATAPROC, MARQUEZ_SEED, SPARK_CLL, load


@pytest.fixture
def seeded(db):
    with db.session(write=True) as session:
        for name in (AIRFLOW, SPARK_CLL, DATAPROC, MARQUEZ_SEED):
            lineage.ingest_batch(session, events=load(name), actor=SYSTEM)
    return db


@pytest.fixture
def analyst(token):
    return token("analyst")


def get(client, headers, path, **params):
    return client.get(path, query_string=params, headers=headers)


def test_graph_in_marquez_shape(client, seeded, analyst):
    body = get(
        client, analyst, "/api/v1/lineage", nodeId="dataset:food_delivery:public.delivery_7_days", depth=1
    ).json
    ids = [n["id"] for n in body["graph"]]
    assert ids == sorted(ids)
    node = next(n for n in body["graph"] if n["id"] == "dataset:food_delivery:public.delivery_7_days")
    assert set(node) == {"id", "type", "data", "inEdges", "outEdges"}
    assert node["type"] == "DATASET"
    assert node["inEdges"] == [
        {
            "origin": "job:food_delivery:etl_delivery_7_days",
            "destination": "dataset:food_delivery:public.delivery_7_days",
        }
    ]
    assert node["data"]["id"] == {"namespace": "food_delivery", "name": "public.delivery_7_days"}
    job = next(n for n in body["graph"] if n["id"] == "job:food_delivery:etl_delivery_7_days")
    assert job["type"] == "JOB" and job["data"]["latestRun"]["state"] == "COMPLETED"
    assert len(job["data"]["inputs"]) == 5
    assert body["truncated"] is False and body["depth"] == 1


def test_graph_parameters_and_errors(client, seeded, analyst):
    node = "dataset:food_delivery:public.orders"
    down = get(client, analyst, "/api/v1/lineage", nodeId=node, direction="downstream", maxNodes=4).json
    assert len(down["graph"]) == 4 and down["truncated"] is True and "node limit" in down["truncatedReason"]
    assert get(client, analyst, "/api/v1/lineage", nodeId="dataset:food_delivery:nope").status_code == 404
    assert get(client, analyst, "/api/v1/lineage", nodeId="table:x").status_code == 400
    bad = get(client, analyst, "/api/v1/lineage", nodeId=node, direction="sideways")
    assert bad.status_code == 422 and bad.json["field"] == "direction"
    when = get(client, analyst, "/api/v1/lineage", nodeId=node, asOf="yesterday")
    assert when.status_code == 422 and when.json["field"] == "asOf"
    earlier = get(client, analyst, "/api/v1/lineage", nodeId=node, asOf="2020-01-01T00:00:00Z").json
    assert [n["id"] for n in earlier["graph"]] == [node]
    run = get(client, analyst, "/api/v1/lineage", nodeId=node, runId="00000000-0000-0000-0000-000000000000")
    assert run.status_code == 404 and run.json["field"] == "runId"


def test_run_lineage(client, seeded, analyst):
    run_id = "d5a2a4c4-fc78-428d-ae85-08c942ed8371"  # etl_delivery_7_days
    body = get(
        client,
        analyst,
        "/api/v1/lineage",
        nodeId="dataset:food_delivery:public.delivery_7_days",
        runId=run_id,
        depth=1,
    ).json
    assert body["runId"] == run_id and body["asOf"] == "2024-03-01T06:06:00Z"
    assert "job:food_delivery:etl_delivery_7_days" in [n["id"] for n in body["graph"]]


def test_column_lineage_for_the_spark_join(client, seeded, analyst):
    body = get(
        client, analyst, "/api/v1/column-lineage", nodeId="datasetField:file:/tmp/cll_test/tbl1:agg", depth=2
    ).json
    by_id = {n["id"]: n for n in body["graph"]}
    agg = by_id["datasetField:file:/tmp/cll_test/tbl1:agg"]
    assert agg["type"] == "DATASET_FIELD" and agg["data"]["fieldType"] == "long"
    assert {(i["dataset"], i["field"]) for i in agg["data"]["inputFields"]} == {
        ("/tmp/cll_test/cll_source1", "a"),
        ("/tmp/cll_test/cll_source1", "b"),
        ("/tmp/cll_test/cll_source2", "a"),
        ("/tmp/cll_test/cll_source2", "c"),
    }
    assert "datasetField:file:/tmp/cll_test/cll_source2:c" in by_id
    downstream = get(
        client,
        analyst,
        "/api/v1/column-lineage",
        nodeId="datasetField:file:/tmp/cll_test/cll_source2:c",
        withDownstream="true",
    ).json
    assert [n["id"] for n in downstream["graph"]] == [
        "datasetField:file:/tmp/cll_test/cll_source2:c",
        "datasetField:file:/tmp/cll_test/tbl1:agg",
    ]
    job = get(client, analyst, "/api/v1/column-lineage", nodeId="job:food_delivery:etl_orders")
    assert job.status_code == 422


def test_impact_with_owners(client, seeded, analyst):
    body = get(client, analyst, "/api/v1/lineage/impact", nodeId="dataset:food_delivery:public.orders").json
    assert [d["name"] for d in body["datasets"]][:1] == ["public.orders_7_days"]
    assert {d["name"] for d in body["datasets"]} >= {"public.delivery_7_days", "public.discounts"}
    assert body["datasets"][0]["level"] == 1
    assert {j["name"] for j in body["jobs"]} >= {"etl_orders_7_days", "email_discounts"}
    assert isinstance(body["notify"], list)


def test_listings(client, seeded, analyst):
    spaces = get(client, analyst, "/api/v1/namespaces").json
    assert "gs://mock-bucket" in [n["name"] for n in spaces["namespaces"]]
    bucket = get(client, analyst, "/api/v1/namespaces/gs://mock-bucket/datasets").json
    assert bucket["totalCount"] == 9
    encoded = get(client, analyst, f"/api/v1/namespaces/{quote('gs://mock-bucket', safe='')}/datasets").json
    assert encoded["totalCount"] == 9
    by_alias = get(
        client, analyst, "/api/v1/namespaces/hive://dataproc-producer-test-m:9083/datasets/default.t1"
    )
    assert by_alias.status_code == 200 and by_alias.json["name"] == "/user/hive/warehouse/t1"
    versions = get(
        client,
        analyst,
        "/api/v1/namespaces/hdfs://dataproc-producer-test-m/datasets//user/hive/warehouse/t1/versions",
    )
    assert versions.status_code == 200 and versions.json["totalCount"] == 3
    assert get(client, analyst, "/api/v1/namespaces/food_delivery/datasets/nope").status_code == 404
    sources = get(client, analyst, "/api/v1/sources").json
    assert "food_delivery_db" in [s["name"] for s in sources["sources"]]


def test_jobs_children_and_runs(client, seeded, analyst):
    dag = get(client, analyst, "/api/v1/namespaces/airflow/jobs/BQ").json
    assert [c["name"] for c in dag["children"]] == ["BQ.copy", "BQ.download", "BQ.upload"]
    jobs = get(client, analyst, "/api/v1/jobs", limit=5).json
    assert jobs["totalCount"] == 39 and len(jobs["jobs"]) == 5
    runs = get(client, analyst, "/api/v1/namespaces/airflow/jobs/BQ.copy/runs").json
    (run,) = runs["runs"]
    assert run["state"] == "COMPLETED" and run["durationMs"] == 2902
    assert [s["state"] for s in run["states"]] == ["START", "COMPLETE"]
    detail = get(client, analyst, f"/api/v1/jobs/runs/{run['id']}").json
    assert detail["job"] == {"namespace": "airflow", "name": "BQ.copy"}
    assert "airflow" in detail["facets"]


def test_raw_event_log_paging(client, seeded, analyst):
    first = get(client, analyst, "/api/v1/events/lineage", limit=10).json
    assert first["totalCount"] == 83 and len(first["events"]) == 10
    times = [e["eventTime"] for e in first["events"]]
    assert times[0] >= times[-1]
    second = get(client, analyst, "/api/v1/events/lineage", limit=10, offset=10).json
    assert second["events"][0] != first["events"][-1]
    window = get(
        client, analyst, "/api/v1/events/lineage", before="2024-09-01T00:00:00Z", after="2024-08-01T00:00:00Z"
    ).json
    assert window["totalCount"] == 9  # the Spark column-lineage run, August 2024
    assert get(client, analyst, "/api/v1/events/lineage", limit=0).status_code == 422


def test_readers(client, seeded, token):
    for role in ("analyst", "steward", "compliance", "admin"):
        assert get(client, token(role), "/api/v1/namespaces").status_code == 200
    assert get(client, token("marketing"), "/api/v1/namespaces").status_code == 403


def test_openapi_documents_the_ingest_body(client):
    spec = client.get("/api/v1/openapi.json").json
    post = spec["paths"]["/api/v1/lineage"]["post"]
    assert "OpenLineageEventIn" in str(post["requestBody"])
    assert "201" in post["responses"]
    assert "/api/v1/column-lineage" in spec["paths"]
