"""POST /api/v1/consent/events and /feeds: the DESIGN contract, all-or-nothing, idempotent, clear errors."""

from __future__ import annotations

import gzip

import orjson

from tests.consent.conftest import consent, profile

URL = "/api/v1/consent/events"


def post(client, headers, events):
    return client.post(
        URL, data=orjson.dumps({"events": events}), headers={**headers, "Content-Type": "application/json"}
    )


def test_batch_is_stored_with_counts_and_is_idempotent(client, token):
    ingest = token("ingest")
    batch = [
        profile("C1", emails=["ann@example.com"]),
        consent("p1", "C1"),
        consent("p2", "C1", purpose="marketing.offers"),
    ]
    first = post(client, ingest, batch)
    assert first.status_code == 201, first.json
    assert first.json["stored"] == {"profile": 1, "consent": 2}
    assert first.json["duplicates"] == {}
    again = post(client, ingest, batch)
    assert again.status_code == 201
    assert again.json["stored"] == {} and again.json["duplicates"] == {"profile": 1, "consent": 2}


def test_gzip_body_is_accepted(client, token):
    body = gzip.compress(orjson.dumps({"events": [consent("p1", "C1")]}))
    response = client.post(URL, data=body, headers={**token("ingest"), "Content-Type": "application/json",
                                                   "Content-Encoding": "gzip"})  # fmt: skip
    assert response.status_code == 201 and response.json["stored"] == {"consent": 1}


def test_bad_event_is_422_naming_index_and_field_and_nothing_is_stored(client, token):
    ingest = token("ingest")
    response = post(
        client, ingest, [profile("C1"), consent("p1", "C1"), consent("p2", "C1", captured_at=None)]
    )
    assert response.status_code == 422
    assert response.json["field"] == "events[2].captured_at"
    assert response.json["error"] == "invalid_input"
    # Nothing from the batch was kept: the same good events are new afterwards.
    assert post(client, ingest, [profile("C1"), consent("p1", "C1")]).json["stored"] == {
        "profile": 1,
        "consent": 1,
    }


def test_conflicting_duplicate_is_409(client, token):
    ingest = token("ingest")
    post(client, ingest, [consent("p1", "C1")])
    response = post(client, ingest, [consent("p1", "C1", status="opt_out")])
    assert response.status_code == 409
    assert response.json["field"] == "events[0].id"


def test_malformed_bodies(client, token):
    ingest = {**token("ingest"), "Content-Type": "application/json"}
    assert client.post(URL, data=b"{not json", headers=ingest).status_code == 400
    missing = client.post(URL, data=b'{"records": []}', headers=ingest)
    assert (missing.status_code, missing.json["field"]) == (422, "events")
    assert client.post(URL, data=b'{"events": []}', headers=ingest).status_code == 422
    not_object = client.post(URL, data=b'{"events": [1]}', headers=ingest)
    assert (not_object.status_code, not_object.json["field"]) == (422, "events[0]")


def test_only_ingest_and_admin_may_post(client, token):
    for role, status in (("marketing", 403), ("compliance", 403), ("analyst", 403), ("admin", 201)):
        assert post(client, token(role), [consent(f"p-{role}", "C1")]).status_code == status
    assert client.post(URL, json={"events": []}).status_code == 401


def test_feed_upload_csv_names_the_bad_line(client, token):
    csv_text = (
        "type,source,id,source_key,channel,purpose,status,method,captured_at,evidence.capture_source\n"
        "consent,crm,f1,C1,email,marketing,opt_in,web_form,2025-01-01T00:00:00Z,crm:form\n"
        "consent,crm,f2,C1,email,marketing,opt_in,web_form,,crm:form\n"
    )
    url = "/api/v1/consent/feeds?format=csv&name=prefs.csv"
    bad = client.post(url, data=csv_text.encode(), headers={**token("ingest"), "Content-Type": "text/csv"})
    assert bad.status_code == 422
    assert bad.json["field"] == "line 3.captured_at"
    good = csv_text.replace(",,crm:form", ",2025-01-02T00:00:00Z,crm:form")
    ok = client.post(url, data=good.encode(), headers={**token("ingest"), "Content-Type": "text/csv"})
    assert ok.status_code == 201 and ok.json["stored"] == {"consent": 2}
