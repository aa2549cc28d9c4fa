"""POST /api/v1/lineage and /api/v1/lineage/batch: what OpenLineage clients send, and what they get back."""

import gzip

import orjson
import pytest

import lineage
from tests.lineage_support import EXPECTED, FILES, TABLES, count, facet, load, marquez_cases, run_event

URL = "/api/v1/lineage"


def post(client, headers, body, *, compress=False):
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    extra = {"Content-Type": "application/json"}
    if compress:
        data = gzip.compress(data, compresslevel=3)
        extra["Content-Encoding"] = "gzip"
    return client.post(URL, data=data, headers={**headers, **extra})


@pytest.fixture
def ingest(token, db):
    """An ingest token; afterwards the queue is drained so no deriver outlives the test database."""
    yield token("ingest")
    lineage.drain(db)


def test_every_corpus_event_over_http(client, db, ingest):
    for number, name in enumerate(FILES):
        for event in load(name):
            response = post(client, ingest, event, compress=number % 2 == 0)
            assert response.status_code == 201, response.json
            assert response.json["status"] == "stored"
    lineage.drain(db)  # the background deriver may have done some already
    assert count(db, "lineage_event") == 94
    assert count(db, "lineage_pending") == 0
    # the producers use disjoint namespaces, so the whole equals the sum of the parts
    assert [count(db, t) for t in TABLES] == [sum(EXPECTED[f][i] for f in FILES) for i in range(len(TABLES))]


def test_same_event_twice_is_stored_once(client, db, ingest):
    event = run_event("nightly", inputs=[("db", "a")], outputs=[("db", "b")])
    first, second = post(client, ingest, event), post(client, ingest, dict(reversed(list(event.items()))))
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json["status"], second.json["status"]) == ("stored", "duplicate")
    assert first.json["eventId"] == second.json["eventId"]
    assert count(db, "lineage_event") == 1
    lineage.drain(db)
    assert count(db, "lineage_run_state") == 1


@pytest.mark.parametrize(
    ("case", "kind"),
    [
        ("event_required_only", "run"),
        ("event_required_no_timezone", "run"),
        ("event_required_nanoseconds", "run"),
        ("event_without_schema_url", "run"),
        ("event_unicode", "run"),
        ("event_dataset_event", "dataset"),
        ("event_job_event", "job"),
        ("event_additional_facet", "run"),
    ],
)
def test_marquez_edge_cases_are_accepted(client, db, ingest, case, kind):
    response = post(client, ingest, marquez_cases()[case])
    assert response.status_code == 201 and response.json["kind"] == kind
    lineage.drain(db)
    assert count(db, "lineage_pending") == 0


def _nothing_stored(db):
    return count(db, "lineage_event") == 0 and count(db, "lineage_pending") == 0


def test_malformed_json_is_400_and_stores_nothing(client, db, ingest):
    response = post(client, ingest, b'{"eventTime": "2024-01-01T00:00:00Z", "run": ')
    assert response.status_code == 400
    assert response.json["error"] == "bad_request" and response.json["field"] == "body"
    assert _nothing_stored(db)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e["job"].update(name=""), "job.name"),
        (
            lambda e: e["outputs"][0].update(facets={"schema": facet(fields="a,b,c")}),
            "outputs[0].facets.schema.fields",
        ),
        (
            lambda e: e["outputs"][0].update(facets={"columnLineage": facet(fields={"x": {}})}),
            "outputs[0].facets.columnLineage.fields.x.inputFields",
        ),
        (lambda e: e["run"].update(runId="42"), "run.runId"),
    ],
)
def test_bad_event_is_422_naming_the_field(client, db, ingest, mutate, field):
    event = run_event("job", outputs=[("db", "out")])
    mutate(event)
    response = post(client, ingest, event, compress=True)
    assert response.status_code == 422
    assert response.json["field"] == field
    assert field in response.json["message"]
    assert _nothing_stored(db)


def test_fifty_megabyte_event_is_413(client, db, ingest):
    event = run_event("huge", outputs=[("db", "out")])
    event["run"]["facets"] = {"spark.logicalPlan": facet(plan="x" * (50 * 2**20))}
    body = orjson.dumps(event)
    plain = post(client, ingest, body)
    assert plain.status_code == 413
    assert plain.json["error"] == "payload_too_large" and "spark.logicalPlan" in plain.json["message"]
    zipped = post(client, ingest, body, compress=True)  # small on the wire, 50 MB once inflated
    assert zipped.status_code == 413
    assert _nothing_stored(db)


def test_corrupt_gzip_is_400(client, db, ingest):
    response = client.post(
        URL, data=b"\x1f\x8b\x08\x00broken", headers={**ingest, "Content-Encoding": "gzip"}
    )
    assert response.status_code == 400 and "gzip" in response.json["message"]
    assert _nothing_stored(db)


def test_roles(client, token, ingest):
    event = run_event("j")
    assert post(client, token("analyst"), event).status_code == 403
    assert post(client, {}, event).status_code == 401
    assert post(client, token("admin"), event).status_code == 201
    assert client.get(f"{URL}?nodeId=job:test:j", headers=token("ingest")).status_code == 403
    assert client.get(f"{URL}?nodeId=job:test:j", headers=token("marketing")).status_code == 403


def test_batch_reports_each_event(client, db, ingest):
    good = run_event("a", outputs=[("db", "x")])
    bad = run_event("", outputs=[("db", "y")])
    body = {"events": [good, bad, good, run_event("b", inputs=[("db", "x")])]}
    response = client.post(f"{URL}/batch", json=body, headers=ingest)
    assert response.status_code == 207
    assert [r["status"] for r in response.json["results"]] == ["stored", "rejected", "duplicate", "stored"]
    assert response.json["results"][1]["error"]["field"] == "events[1].job.name"
    assert response.json["field"] == "events[1].job.name"
    assert (response.json["stored"], response.json["duplicates"], response.json["rejected"]) == (2, 1, 1)
    lineage.drain(db)
    assert count(db, "lineage_edge") == 2


def test_batch_all_good_all_bad_and_malformed(client, db, ingest):
    ok = client.post(f"{URL}/batch", json={"events": [run_event("a"), run_event("b")]}, headers=ingest)
    assert ok.status_code == 201 and ok.json["stored"] == 2
    bad = client.post(f"{URL}/batch", json={"events": [{"eventTime": "x"}]}, headers=ingest)
    assert bad.status_code == 422 and bad.json["results"][0]["status"] == "rejected"
    shape = client.post(f"{URL}/batch", json={"events": {"a": 1}}, headers=ingest)
    assert shape.status_code == 422 and shape.json["field"] == "events"
    assert count(db, "lineage_event") == 2


def test_events_are_audited(client, token, ingest):
    compliance = token("compliance")
    post(client, ingest, run_event("audited"))
    entries = client.get("/api/v1/audit", headers=compliance).json
    assert entries[0]["action"] == "lineage.ingest"
    assert entries[0]["details"]["job"] == "test:audited"


def test_separate_deriver_mode_leaves_the_queue_to_the_cli(app, client, db, ingest, cli_runner):
    import dataclasses

    from core.runtime import Runtime

    runtime = app.extensions["concord"]
    app.extensions["concord"] = Runtime(
        settings=dataclasses.replace(runtime.settings, lineage_derive_in_web=False), db=runtime.db
    )
    assert post(client, ingest, run_event("queued", outputs=[("db", "t")])).status_code == 201
    assert count(db, "lineage_pending") == 1 and count(db, "lineage_edge") == 0
    result = cli_runner("lineage", "derive")
    assert "derived 1 queued events; 0 set aside" in result.output
    assert count(db, "lineage_pending") == 0 and count(db, "lineage_edge") == 1
