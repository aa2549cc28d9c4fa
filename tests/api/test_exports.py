"""The exports API on both databases: upload (raw and multipart), progress, downloads, re-check, roles."""

from __future__ import annotations

import dataclasses
import io

import orjson
import pytest

from identity import service as identity
from tests.consent.conftest import consent, profile
from tests.waiting import wait_until


@pytest.fixture
def people(client, token, db):
    events = [
        profile("C1", emails=["ann@example.com"]),
        profile("C2", emails=["bob@example.com"]),
        consent("p1", "C1", captured_at="2025-01-01T00:00:00Z"),
        consent("p2", "C2", captured_at="2025-01-01T00:00:00Z"),
    ]
    response = client.post("/api/v1/consent/events", json={"events": events}, headers=token("ingest"))
    assert response.status_code == 201, response.json
    with db.session() as session:
        return {k: identity.resolve(session, source_key=k)[0] for k in ("crm:C1", "crm:C2")}


def upload(client, headers, body: bytes, **params):
    params = {"channel": "email", "purpose": "marketing", **params}
    return client.post("/api/v1/exports", query_string=params, data=body, headers=headers,
                       content_type="text/csv")  # fmt: skip


def test_raw_upload_runs_inline_and_downloads_as_csv_and_jsonl(client, token, people):
    marketing = token("marketing")
    response = upload(client, marketing, b"email\nann@example.com\nbob@example.com\nzed@example.com\n")
    assert response.status_code == 201, response.json
    export = response.json
    assert (export["state"], export["rows_total"], export["output_rows"]) == ("done", 3, 2)
    assert export["excluded"] == {"unknown_customer": 1}
    csv_body = client.get(f"/api/v1/exports/{export['id']}/download", headers=marketing)
    assert csv_body.status_code == 200 and csv_body.mimetype == "text/csv"
    assert csv_body.data.decode().splitlines()[1:] == [
        f"{people['crm:C1']},ann@example.com,explicit_opt_in",
        f"{people['crm:C2']},bob@example.com,explicit_opt_in",
    ]
    lines = client.get(f"/api/v1/exports/{export['id']}/download?format=jsonl", headers=marketing).data
    assert [orjson.loads(x)["contact_point"] for x in lines.splitlines()] == [
        "ann@example.com",
        "bob@example.com",
    ]
    report = client.get(f"/api/v1/exports/{export['id']}/exclusions", headers=marketing).data.decode()
    assert "zed@example.com,unknown_customer" in report
    listed = client.get("/api/v1/exports", headers=marketing).json
    assert [e["id"] for e in listed] == [export["id"]]


def test_multipart_upload_in_the_background_with_progress(app, client, token, people):
    runtime = app.extensions["concord"]
    app.extensions["concord"] = dataclasses.replace(
        runtime, settings=dataclasses.replace(runtime.settings, export_inline_rows=1)
    )
    marketing = token("marketing")
    data = {"file": (io.BytesIO(b"source_key\ncrm:C1\ncrm:C2\n"), "segment.csv")}
    response = client.post(
        "/api/v1/exports?channel=email&purpose=marketing", data=data, headers=marketing,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 202, response.json
    export_id = response.json["id"]

    def finished():
        state = client.get(f"/api/v1/exports/{export_id}", headers=marketing).json
        return state if state["state"] in ("done", "failed") else None

    state = wait_until(finished, timeout=30)
    assert (state["state"], state["rows_done"], state["rows_total"], state["output_rows"]) == (
        "done",
        2,
        2,
        2,
    )


def test_bad_upload_is_422_naming_the_field_and_records_nothing(client, token, people):
    marketing = token("marketing")
    response = upload(client, marketing, b"email\n")
    assert response.status_code == 422 and response.json["field"] == "file"
    response = upload(client, marketing, b"email\na@example.com\n", channel="pigeon")
    assert response.status_code == 422 and response.json["field"] == "channel"
    assert client.get("/api/v1/exports", headers=marketing).json == []


def test_recheck_by_customer_lineage_and_roles(client, token, people):
    marketing, compliance = token("marketing"), token("compliance")
    export = upload(client, marketing, b"source_key\ncrm:C1\ncrm:C2\n").json
    ingest = token("ingest")
    late = consent("u9", "C2", status="opt_out", captured_at="2025-05-01T00:00:00Z")
    assert client.post("/api/v1/consent/events", json={"events": [late]}, headers=ingest).status_code == 201
    again = client.get(f"/api/v1/exports/{export['id']}/recheck", headers=marketing).json
    assert again["no_longer_eligible"] == [
        {"customer_id": people["crm:C2"], "contact_point": "bob@example.com", "reason": "opt_out"}
    ]
    bob = people["crm:C2"]
    assert client.get(f"/api/v1/exports/customers/{bob}", headers=marketing).status_code == 403
    members = client.get(f"/api/v1/exports/customers/{bob}", headers=compliance).json
    assert [(m["export"]["id"], m["reason"], m["decided_by_id"]) for m in members] == [
        (export["id"], "explicit_opt_in", "p2")
    ]
    chain = client.get(f"/api/v1/exports/customers/{bob}/lineage", headers=compliance).json
    assert {"from": "source:crm", "to": "record:crm/p2"} in chain["edges"]
    assert [m["export"]["id"] for m in chain["exports"]] == [export["id"]]
    assert upload(client, token("analyst"), b"email\na@example.com\n").status_code == 403
    assert client.get("/api/v1/exports/customers/nobody/lineage", headers=compliance).status_code == 404


def test_upload_over_the_limit_is_413_and_records_nothing(app, client, token, people):
    runtime = app.extensions["concord"]
    app.extensions["concord"] = dataclasses.replace(
        runtime, settings=dataclasses.replace(runtime.settings, max_upload_bytes=100)
    )
    marketing = token("marketing")
    response = upload(client, marketing, b"email\n" + b"someone@example.com\n" * 20)
    assert response.status_code == 413
    assert client.get("/api/v1/exports", headers=marketing).json == []
