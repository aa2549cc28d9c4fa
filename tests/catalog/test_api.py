"""The catalogue API: roles (analyst reads, steward writes), masking, errors naming the field."""

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "dbt"
API = "/api/v1/catalog"


@pytest.fixture
def scanned(client, token, sample_sources):
    steward = token("steward")
    paths, _ = sample_sources
    resp = client.post(
        f"{API}/sources", json={"name": "crm", "url": f"sqlite:///{paths['crm']}"}, headers=steward
    )
    assert resp.status_code == 201, resp.json
    resp = client.post(f"{API}/sources/crm/scan", headers=steward)
    assert resp.status_code == 200, resp.json
    assert sorted(resp.json["added"]) == ["contact_preferences", "contacts"]
    hits = client.get(f"{API}/search?q=contacts", headers=steward).json["hits"]
    return next(h["id"] for h in hits if h["name"] == "contacts")


def test_analyst_reads_with_masked_pii_and_compliance_sees_raw(client, token, scanned):
    analyst = client.get(f"{API}/datasets/{scanned}", headers=token("analyst"))
    assert analyst.status_code == 200
    email = next(c for c in analyst.json["columns"] if c["name"] == "email")
    assert email["sample_masked"] and all(
        "@" in v and not any(ch.isalpha() and ch != "x" for ch in v) for v in email["sample"]
    )
    assert {c["pii_class"] for c in email["classes"]} == {"email"}
    raw = client.get(f"{API}/datasets/{scanned}", headers=token("compliance")).json
    assert not next(c for c in raw["columns"] if c["name"] == "email")["sample_masked"]
    city = next(c for c in analyst.json["columns"] if c["name"] == "country")
    assert not city["sample_masked"]


def test_certification_needs_a_steward(client, token, scanned):
    body = {"note": "reconciled against billing"}
    assert (
        client.post(f"{API}/datasets/{scanned}/certify", json=body, headers=token("analyst")).status_code
        == 403
    )
    assert (
        client.post(f"{API}/datasets/{scanned}/certify", json=body, headers=token("marketing")).status_code
        == 403
    )
    done = client.post(f"{API}/datasets/{scanned}/certify", json=body, headers=token("steward"))
    assert done.status_code == 200 and done.json["certification"] == "certified"
    history = client.get(f"{API}/datasets/{scanned}/certification", headers=token("analyst")).json
    assert history[0]["action"] == "certify" and history[0]["by"] == "token:test-steward"
    facet = client.get(f"{API}/search?q=&certification=certified", headers=token("analyst")).json
    assert [h["id"] for h in facet["hits"]] == [scanned]


def test_search_and_suggest_with_hostile_text(client, token, scanned):
    headers = token("analyst")
    for q in ['"', "NEAR(", "*", "-", "OR", "🙂", "a'b", "\\"]:
        resp = client.get(f"{API}/search", query_string={"q": q}, headers=headers)
        assert resp.status_code == 200, (q, resp.json)
        assert client.get(f"{API}/suggest", query_string={"q": q}, headers=headers).status_code == 200
    found = client.get(f"{API}/search?q=contact&source_system=crm&classification=email", headers=headers).json
    assert found["hits"][0]["id"] == scanned and found["facets"]["source_system"] == [
        {"value": "crm", "count": 1}
    ]
    assert client.get(f"{API}/search?q=x&limit=1000", headers=headers).status_code == 422
    assert client.get(f"{API}/search?q=x", headers={}).status_code == 401


def test_steward_writes_and_errors_name_the_field(client, token, scanned):
    steward = token("steward")
    resp = client.post(
        f"{API}/rules",
        json={"name": "loyalty.id", "pii_class": "loyalty_id", "value_pattern": "LOY[0-9"},
        headers=steward,
    )
    assert (
        resp.status_code == 422
        and resp.json["field"] == "value_pattern"
        and "loyalty.id" in resp.json["message"]
    )
    assert (
        client.post(
            f"{API}/rules",
            json={"name": "x.y", "pii_class": "x", "column_pattern": "x"},
            headers=token("analyst"),
        ).status_code
        == 403
    )
    decided = client.post(
        f"{API}/datasets/{scanned}/classes",
        json={"column": "email", "pii_class": "email", "decision": "reject"},
        headers=steward,
    )
    assert decided.status_code == 200 and decided.json["status"] == "rejected"
    assert client.put(
        f"{API}/datasets/{scanned}/tags", json={"tags": ["Customer 360"]}, headers=steward
    ).json == {"tags": ["customer-360"]}
    bad = client.put(f"{API}/datasets/{scanned}/tags", json={"tags": ["ok", "no way!"]}, headers=steward)
    assert bad.status_code == 422 and bad.json["field"] == "tags[1]"
    patched = client.patch(
        f"{API}/datasets/{scanned}", json={"description": "All CRM contacts"}, headers=steward
    )
    assert patched.json["description"] == "All CRM contacts"
    assert client.post(f"{API}/datasets/{scanned}/views", headers=token("analyst")).status_code == 204
    detail = client.get(f"{API}/datasets/{scanned}", headers=steward).json
    assert detail["popularity"]["views"] == 1 and detail["tags"] == ["customer-360"]
    versions = client.get(f"{API}/datasets/{scanned}/versions", headers=steward).json
    assert versions[0]["version"] == 1 and "email" in versions[0]["changes"]["added"]


def test_sources_never_show_passwords_and_unreachable_scan_is_503(client, token):
    steward = token("steward")
    body = {"name": "pg", "url": "postgresql://svc:hunter2-secret@127.0.0.1:1/crm"}
    created = client.post(f"{API}/sources", json=body, headers=steward)
    assert created.status_code == 201 and "hunter2" not in created.get_data(as_text=True)
    listed = client.get(f"{API}/sources", headers=steward)
    assert "hunter2" not in listed.get_data(as_text=True) and listed.json[0]["url"].startswith(
        "postgresql+psycopg://svc:***@"
    )
    failed = client.post(f"{API}/sources/pg/scan", headers=steward)
    assert failed.status_code == 503 and "hunter2" not in failed.get_data(as_text=True)
    assert client.get(f"{API}/sources/pg/scans", headers=steward).json == []
    bad = client.post(f"{API}/sources", json={"name": "x", "url": "mysql://h/db"}, headers=steward)
    assert bad.status_code == 422 and bad.json["field"] == "url"
    assert (
        client.post(f"{API}/sources", json=body | {"name": "pg2"}, headers=token("analyst")).status_code
        == 403
    )


def test_dbt_import_metric_pack_and_usage(client, token):
    steward = token("steward")
    body = {
        "manifest": json.loads((FIXTURES / "manifest.json").read_text()),
        "catalog": json.loads((FIXTURES / "catalog.json").read_text()),
        "namespace": "postgres://warehouse:5432",
    }
    imported = client.post(f"{API}/dbt", json=body, headers=steward)
    assert (
        imported.status_code == 200
        and imported.json["datasets"] == 9
        and len(imported.json["dependencies"]) == 8
    )
    pack = client.post(f"{API}/metric-packs/customer360", json={}, headers=steward)
    assert pack.status_code == 200 and pack.json["certified"] >= 10
    metric = client.get(f"{API}/metrics/churn_rate", headers=token("analyst")).json
    assert metric["certification"] == "certified" and metric["formula"]
    assert client.post(f"{API}/metric-packs/nope", json={}, headers=steward).status_code == 404
    usage = {
        "events": [
            {
                "namespace": "postgres://warehouse:5432",
                "name": "analytics.marts.orders",
                "count": 12,
                "reader": "bi",
            }
        ]
    }
    assert client.post(f"{API}/usage", json=usage, headers=token("ingest")).json == {"count": 1}
    bad = {"events": [usage["events"][0], {"namespace": "x", "name": "missing"}]}
    resp = client.post(f"{API}/usage", json=bad, headers=steward)
    assert resp.status_code == 404 and resp.json["field"] == "events[1].name"
    assert client.post(f"{API}/search-index/rebuild", headers=steward).status_code == 403
    assert client.post(f"{API}/search-index/rebuild", headers=token("admin")).json == {"count": 9}
