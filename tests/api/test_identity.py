"""The identity API: ingestion, the customer 360 by role, lookup, crosswalk, explain and report."""

import pytest

RECORDS = [
    {"source_system": "crm", "source_key": "C1", "first_name": "John", "last_name": "Smith",
     "emails": ["John.Smith@example.com"], "phones": ["(415) 555-0100"], "street": "1 Main Street",
     "city": "Springfield", "postal_code": "94110", "country": "US", "region": "CA",
     "observed_at": "2024-03-01T10:00:00Z"},
    {"source_system": "billing", "source_key": "B1", "full_name": "John Smith", "emails": ["js@acme.com"],
     "phones": ["+1 415-555-0100"], "country": "US"},
    {"source_system": "support", "source_key": "S1", "full_name": "Jane Roe", "emails": ["jane@example.com"]},
]  # fmt: skip


@pytest.fixture
def loaded(client, token):
    response = client.post(
        "/api/v1/identity/source-records", json={"records": RECORDS}, headers=token("ingest")
    )
    assert response.status_code == 201, response.json
    return {(c["source_system"], c["source_key"]): c["customer_id"] for c in response.json["customers"]}


def test_ingest_returns_counts_and_customers(client, token, loaded):
    assert loaded["crm", "C1"] == loaded["billing", "B1"] != loaded["support", "S1"]
    again = client.post(
        "/api/v1/identity/source-records", json={"records": RECORDS}, headers=token("admin")
    ).json
    assert (again["inserted"], again["unchanged"]) == (0, 3)


def test_unparseable_phone_is_422_naming_the_field_and_stores_nothing(client, token):
    bad = [*RECORDS[:2], {**RECORDS[2], "phones": ["call me maybe"]}]
    response = client.post("/api/v1/identity/source-records", json={"records": bad}, headers=token("ingest"))
    assert response.status_code == 422
    assert response.json["field"] == "records[2].phones[0]"
    report = client.get("/api/v1/identity/report", headers=token("compliance")).json
    assert report["source_records"] == 0 and report["customers"] == 0


def test_structural_errors_name_the_field(client, token):
    response = client.post(
        "/api/v1/identity/source-records",
        json={"records": [RECORDS[0], {"source_system": "crm", "emails": "not-a-list"}]},
        headers=token("ingest"),
    )
    assert response.status_code == 422
    assert response.json["field"].startswith("records[1].")


def test_roles_for_ingestion(client, token):
    for role in ("analyst", "marketing", "compliance"):
        response = client.post(
            "/api/v1/identity/source-records", json={"records": RECORDS}, headers=token(role)
        )
        assert response.status_code == 403


def test_compliance_sees_the_full_360(client, token, loaded):
    body = client.get(f"/api/v1/customers/{loaded['crm', 'C1']}", headers=token("compliance")).json
    assert body["first_name"] == "John" and body["jurisdiction"] == "US-CA"
    values = {(cp["kind"], cp["value"]) for cp in body["contact_points"]}
    assert ("email", "john.smith@example.com") in values and ("phone", "+14155550100") in values
    assert any(cp["kind"] == "postal" for cp in body["contact_points"])
    assert {r["source_key"] for r in body["source_records"]} == {"C1", "B1"}
    assert any(r["street"] == "1 Main Street" for r in body["source_records"])
    assert body["links"] and body["links"][0]["rule"]


def test_analyst_sees_no_raw_personal_data(client, token, loaded):
    response = client.get(f"/api/v1/customers/{loaded['crm', 'C1']}", headers=token("analyst"))
    assert response.status_code == 200
    body = response.json
    text = str(body)
    for raw in (
        "john.smith@example.com",
        "+14155550100",
        "Main",
        "Springfield",
        "94110",
        "John",
        "Smith",
        "js@acme.com",
    ):
        assert raw not in text, raw
    assert body["first_name"] == "J."
    assert {cp["kind"] for cp in body["contact_points"]} == {"email", "phone"}
    assert "j***@e***.com" in {cp["value"] for cp in body["contact_points"]}
    assert body["jurisdiction"] == "US-CA"


def test_marketing_may_not_see_customers(client, token, loaded):
    assert (
        client.get(f"/api/v1/customers/{loaded['crm', 'C1']}", headers=token("marketing")).status_code == 403
    )
    assert client.get("/api/v1/customers?email=js@acme.com", headers=token("marketing")).status_code == 403


def test_unknown_customer_is_404(client, token):
    response = client.get("/api/v1/customers/cus_nope", headers=token("compliance"))
    assert response.status_code == 404 and response.json["field"] == "customer_id"


def test_lookup(client, token, loaded):
    headers = token("compliance")
    john = loaded["crm", "C1"]
    assert client.get("/api/v1/customers?email=JS@acme.com", headers=headers).json["customers"] == [john]
    assert client.get("/api/v1/customers?phone=4155550100", headers=headers).json["customers"] == [john]
    assert client.get("/api/v1/customers?source_key=billing:B1", headers=headers).json == {
        "kind": "source_key", "value": "billing:B1", "customers": [john]
    }  # fmt: skip
    assert client.get("/api/v1/customers?email=nobody@example.com", headers=headers).json["customers"] == []
    bad = client.get("/api/v1/customers?phone=xyz", headers=headers)
    assert bad.status_code == 422 and bad.json["field"] == "phone"
    assert client.get("/api/v1/customers", headers=headers).status_code == 422
    assert client.get("/api/v1/customers", headers=token("analyst")).status_code == 403


def test_crosswalk_json_and_csv(client, token, loaded):
    admin = token("admin")
    response = client.post(
        "/api/v1/identity/crosswalk",
        json={"rows": [{"source_system": "support", "source_key": "S1", "customer_id": "MDM-9"}]},
        headers=admin,
    )
    assert response.status_code == 200 and response.json["assigned"] == 1
    csv_body = "source_system,source_key,customer_id\ncrm,C1,MDM-1\n"
    response = client.post(
        "/api/v1/identity/crosswalk", data=csv_body, headers={**admin, "Content-Type": "text/csv"}
    )
    assert response.status_code == 200 and response.json["customers_created"] == 1
    lookup = client.get("/api/v1/customers?source_key=crm:C1", headers=token("compliance")).json
    assert lookup["customers"] == ["MDM-1"]
    bad = client.post("/api/v1/identity/crosswalk", json={"rows": [{"source_system": "crm"}]}, headers=admin)
    assert bad.status_code == 422 and bad.json["field"].startswith("rows[0].")
    assert (
        client.post("/api/v1/identity/crosswalk", json={"rows": []}, headers=token("compliance")).status_code
        == 403
    )


def test_explain_and_report(client, token, loaded):
    why = client.get("/api/v1/identity/explain?a=crm:C1&b=billing:B1", headers=token("compliance")).json
    assert why["same_customer"] and why["path"][0]["value"] == "+14155550100"
    assert (
        client.get("/api/v1/identity/explain?a=crm:C1&b=billing:B1", headers=token("analyst")).status_code
        == 403
    )
    report = client.get("/api/v1/identity/report", headers=token("analyst")).json
    assert report["customers"] == 2 and report["source_records"] == 3
    assert report["records_per_system"] == {"billing": 1, "crm": 1, "support": 1}
    assert report["duplicates_merged"] == 1 and report["rules_version"] == "rules-v1"
    assert client.get("/api/v1/identity/report", headers=token("marketing")).status_code == 403
