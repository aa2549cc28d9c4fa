"""The openlineage-python client itself (HttpTransport, API key, gzip) posting to a running Concord."""

import threading
import uuid

import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import (
    DatasetEvent,
    InputDataset,
    Job,
    JobEvent,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
    StaticDataset,
)
from openlineage.client.facet_v2 import column_lineage_dataset, parent_run, schema_dataset
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpCompression, HttpConfig, HttpTransport
from werkzeug.serving import make_server

import lineage
from tests.lineage_support import count

PG = "postgres://crm-db:5432"


@pytest.fixture
def server(app):
    """Concord on 127.0.0.1 with an ephemeral port, served by werkzeug in a thread."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


def client_for(url: str, api_key: str) -> OpenLineageClient:
    config = HttpConfig(
        url=url,
        auth=ApiKeyTokenProvider({"apiKey": api_key}),
        compression=HttpCompression.GZIP,
        timeout=10.0,
        retry={"total": 0},
    )
    return OpenLineageClient(transport=HttpTransport(config))


def _output() -> OutputDataset:
    fields = [
        schema_dataset.SchemaDatasetFacetFields(name=n, type="VARCHAR") for n in ("customer_id", "email")
    ]
    lineage_facet = column_lineage_dataset.ColumnLineageDatasetFacet(
        fields={
            "email": column_lineage_dataset.Fields(
                inputFields=[
                    column_lineage_dataset.InputField(
                        namespace=PG,
                        name="crm.contacts",
                        field="email_address",
                        transformations=[
                            column_lineage_dataset.Transformation(
                                type="DIRECT", subtype="IDENTITY", masking=False
                            )
                        ],
                    )
                ]
            )
        }
    )
    return OutputDataset(
        namespace=PG,
        name="mart.customers",
        facets={"schema": schema_dataset.SchemaDatasetFacet(fields=fields), "columnLineage": lineage_facet},
    )


def test_python_client_posts_every_event_kind(server, db, token, client):
    secret = token("ingest")["Authorization"].split()[1]
    ol = client_for(server, secret)
    run_id, parent_id = str(uuid.uuid4()), str(uuid.uuid4())
    job = Job(namespace="airflow", name="crm_sync.build_customers")
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=parent_id), job=parent_run.Job(namespace="airflow", name="crm_sync")
    )
    inputs = [InputDataset(namespace=PG, name="crm.contacts")]
    for state in (RunState.START, RunState.COMPLETE):
        ol.emit(
            RunEvent(
                eventType=state,
                eventTime=f"2024-05-0{1 if state == RunState.START else 2}T00:00:00Z",
                run=Run(runId=run_id, facets={"parent": parent}),
                job=job,
                inputs=inputs,
                outputs=[_output()],
                producer="https://example.com/client-test",
            )
        )
    ol.emit(
        DatasetEvent(
            eventTime="2024-05-03T00:00:00Z",
            producer="https://example.com/t",
            dataset=StaticDataset(namespace=PG, name="crm.orders"),
        )
    )
    ol.emit(
        JobEvent(
            eventTime="2024-05-03T00:00:00Z",
            producer="https://example.com/t",
            job=Job(namespace="airflow", name="design"),
            inputs=inputs,
        )
    )
    lineage.drain(db)
    assert count(db, "lineage_event") == 4
    headers = token("analyst")
    graph = client.get(
        "/api/v1/lineage", query_string={"nodeId": f"dataset:{PG}:mart.customers"}, headers=headers
    ).json
    ids = [n["id"] for n in graph["graph"]]
    assert ids == [
        f"dataset:{PG}:crm.contacts",
        f"dataset:{PG}:mart.customers",
        "job:airflow:crm_sync.build_customers",
    ]
    readers = client.get(
        "/api/v1/lineage",
        query_string={"nodeId": f"dataset:{PG}:crm.contacts", "direction": "downstream", "depth": 1},
        headers=headers,
    ).json
    assert "job:airflow:design" in [n["id"] for n in readers["graph"]]  # the JobEvent's design-time input
    job_node = next(n for n in graph["graph"] if n["id"] == "job:airflow:crm_sync.build_customers")
    assert job_node["data"]["parentJobName"] == "crm_sync"
    assert job_node["data"]["latestRun"]["state"] == "COMPLETED"
    columns = client.get(
        "/api/v1/column-lineage",
        query_string={"nodeId": f"datasetField:{PG}:mart.customers:email"},
        headers=headers,
    ).json
    assert [n["id"] for n in columns["graph"]] == [
        f"datasetField:{PG}:crm.contacts:email_address",
        f"datasetField:{PG}:mart.customers:email",
    ]


def test_python_client_with_a_bad_key_is_refused(server, db):
    ol = client_for(server, "cnc_not-a-token")
    event = RunEvent(
        eventType=RunState.START,
        eventTime="2024-05-01T00:00:00Z",
        run=Run(runId=str(uuid.uuid4())),
        job=Job(namespace="n", name="j"),
        producer="https://example.com/t",
    )
    with pytest.raises(Exception, match="401"):
        ol.transport.emit(event)
    assert count(db, "lineage_event") == 0
