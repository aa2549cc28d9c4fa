"""GET /decision and /eligibility (single and bulk), history, and what each role may see."""

from __future__ import annotations

import orjson
import pytest

from identity import service as identity
from tests.consent.conftest import consent, profile


@pytest.fixture
def ann(client, token, db):
    events = [
        profile("C1", emails=["ann@example.com"], phones=["+4930123456"]),
        consent(
            "p1",
            "C1",
            captured_at="2025-01-01T00:00:00Z",
            evidence={"capture_source": "crm:web", "ip": "10.1.2.3"},
        ),
        consent(
            "u1",
            source="marketing",
            status="opt_out",
            captured_at="2025-03-01T00:00:00Z",
            contact_point="ann@example.com",
            method="unsubscribe_link",
        ),
    ]
    response = client.post("/api/v1/consent/events", json={"events": events}, headers=token("ingest"))
    assert response.status_code == 201, response.json
    with db.session() as session:
        return identity.resolve(session, source_key="crm:C1")[0]


def get(client, headers, path, **params):
    return client.get(path, query_string=params, headers=headers)


def test_compliance_sees_the_full_decision(client, token, ann):
    r = get(
        client,
        token("compliance"),
        "/api/v1/consent/decision",
        customer=ann,
        channel="email",
        purpose="marketing",
    )
    assert r.status_code == 200
    body = r.json
    assert (body["allowed"], body["reason"], body["contact_point"]) == (False, "opt_out", "ann@example.com")
    assert body["decided_by"]["id"] == "u1" and body["decided_by"]["source"] == "marketing"
    assert body["policy_version"] == "reference-v1" and body["as_of"]
    assert [c["id"] for c in body["considered"] if c["kind"] == "consent"] == ["p1", "u1"]


def test_point_in_time_and_known_at(client, token, ann):
    headers = token("compliance")
    then = get(
        client,
        headers,
        "/api/v1/consent/decision",
        customer=ann,
        channel="email",
        purpose="marketing",
        at="2025-02-01T00:00:00Z",
    )
    assert (then.json["allowed"], then.json["reason"], then.json["decided_by"]["id"]) == (
        True,
        "explicit_opt_in",
        "p1",
    )
    assert then.json["valid_until"].startswith("2025-03-01")
    # received_at defaulted to ingestion time (now), so before that Concord knew nothing of either record.
    unknown = get(
        client,
        headers,
        "/api/v1/consent/decision",
        customer=ann,
        channel="email",
        purpose="marketing",
        known_at="2025-06-01T00:00:00Z",
    )
    assert unknown.json["reason"] == "no_consent"


def test_marketing_sees_only_allowed_reason_and_contact_point(client, token, ann):
    headers = token("marketing")
    r = get(client, headers, "/api/v1/consent/decision", customer=ann, channel="email", purpose="marketing")
    assert r.status_code == 200
    assert r.json == {"allowed": False, "reason": "opt_out", "contact_point": "ann@example.com"}
    forbidden = get(
        client,
        headers,
        "/api/v1/consent/decision",
        customer=ann,
        channel="email",
        purpose="marketing",
        known_at="2025-01-01T00:00:00Z",
    )
    assert forbidden.status_code == 403
    e = get(
        client,
        headers,
        "/api/v1/consent/eligibility",
        email="ANN@example.com",
        channel="email",
        purpose="marketing",
    )
    assert e.json == {"allowed": False, "reason": "opt_out", "contact_point": "ann@example.com"}
    for path in (f"/api/v1/consent/customers/{ann}/history", f"/api/v1/consent/customers/{ann}/decisions"):
        assert get(client, headers, path).status_code == 403
    assert "10.1.2.3" not in r.get_data(as_text=True)


def test_other_roles_cannot_read_consent(client, token, ann):
    for role in ("analyst", "steward", "ingest"):
        r = get(
            client,
            token(role),
            "/api/v1/consent/decision",
            customer=ann,
            channel="email",
            purpose="marketing",
        )
        assert r.status_code == 403


def test_unknown_customer_channel_and_bad_queries(client, token, ann):
    headers = token("compliance")
    unknown = get(
        client,
        headers,
        "/api/v1/consent/decision",
        customer="cus_nobody",
        channel="email",
        purpose="marketing",
    )
    assert (unknown.status_code, unknown.json["allowed"], unknown.json["reason"]) == (
        200,
        False,
        "unknown_customer",
    )
    bad_channel = get(
        client, headers, "/api/v1/consent/decision", customer=ann, channel="fax", purpose="marketing"
    )
    assert (bad_channel.status_code, bad_channel.json["field"]) == (422, "channel")
    bad_at = get(
        client,
        headers,
        "/api/v1/consent/decision",
        customer=ann,
        channel="email",
        purpose="marketing",
        at="soon",
    )
    assert (bad_at.status_code, bad_at.json["field"]) == (422, "at")
    two = get(
        client,
        headers,
        "/api/v1/consent/eligibility",
        customer=ann,
        email="a@b.c",
        channel="email",
        purpose="marketing",
    )
    assert two.status_code == 422
    bad_phone = get(
        client, headers, "/api/v1/consent/eligibility", phone="12", channel="sms", purpose="marketing"
    )
    assert (bad_phone.status_code, bad_phone.json["field"]) == (422, "phone")


def test_eligibility_by_every_subject_kind(client, token, ann):
    headers = token("compliance")
    for params in ({"customer": ann}, {"source_key": "crm:C1"}, {"phone": "+49 30 123456"}):
        r = get(
            client, headers, "/api/v1/consent/eligibility", channel="email", purpose="transactional", **params
        )
        assert (r.status_code, r.json["allowed"], r.json["reason"]) == (200, True, "transactional"), params
        assert r.json["customer_id"] == ann and r.json["basis"] == "stored"
    nobody = get(
        client,
        headers,
        "/api/v1/consent/eligibility",
        email="nobody@example.com",
        channel="email",
        purpose="marketing",
    )
    assert (nobody.json["allowed"], nobody.json["reason"]) == (False, "unknown_customer")


def test_bulk_eligibility_in_order_with_counts(client, token, ann):
    body = {
        "channel": "email",
        "purpose": "transactional",
        "subjects": [{"customer": ann}, {"email": "nobody@example.com"}, {"source_key": "crm:C1"}],
    }
    r = client.post("/api/v1/consent/eligibility/bulk", json=body, headers=token("marketing"))
    assert r.status_code == 200
    data = orjson.loads(r.data)
    assert (data["count"], data["allowed"], data["denied"]) == (3, 2, 1)
    assert [x["reason"] for x in data["results"]] == ["transactional", "unknown_customer", "transactional"]
    assert "customer_id" not in data["results"][0]
    compact = {"channel": "email", "purpose": "marketing", "kind": "email", "subjects": ["ann@example.com"]}
    r = client.post("/api/v1/consent/eligibility/bulk", json=compact, headers=token("compliance"))
    assert orjson.loads(r.data)["results"][0]["customer_id"] == ann


def test_bulk_limits_and_bad_subjects(client, token, ann):
    headers = token("marketing")
    url = "/api/v1/consent/eligibility/bulk"
    over = {"channel": "email", "purpose": "marketing", "kind": "customer", "subjects": ["x"] * 100_001}
    r = client.post(url, data=orjson.dumps(over), headers={**headers, "Content-Type": "application/json"})
    assert (r.status_code, r.json["field"]) == (413, "subjects")
    bad = {"channel": "email", "purpose": "marketing", "subjects": [{"customer": ann}, {"name": "Ann"}]}
    r = client.post(url, json=bad, headers=headers)
    assert (r.status_code, r.json["field"]) == (422, "subjects[1]")
    bad_email = {"channel": "email", "purpose": "marketing", "subjects": [{"email": "no-at-sign"}]}
    r = client.post(url, json=bad_email, headers=headers)
    assert (r.status_code, r.json["field"]) == (422, "subjects[0].email")


def test_history_and_stored_decisions_for_compliance(client, token, ann):
    headers = token("compliance")
    history = get(client, headers, f"/api/v1/consent/customers/{ann}/history").json
    assert [e["id"] for e in history["entries"]] == ["p1", "u1"]
    assert history["entries"][0]["details"]["evidence"]["ip"] == "10.1.2.3"
    assert history["jurisdiction"] == "DE"
    rows = get(client, headers, f"/api/v1/consent/customers/{ann}/decisions").json
    email_marketing = [r for r in rows if (r["channel"], r["purpose"]) == ("email", "marketing")]
    assert email_marketing[0]["reason"] == "opt_out"
    assert get(client, headers, "/api/v1/consent/customers/cus_nobody/history").status_code == 404


def test_eligibility_at_an_instant_and_rebuild_by_admin(client, token, ann):
    past = get(
        client,
        token("marketing"),
        "/api/v1/consent/eligibility",
        customer=ann,
        channel="email",
        purpose="marketing",
        at="2025-02-01T00:00:00Z",
    )
    assert past.json == {"allowed": True, "reason": "explicit_opt_in", "contact_point": "ann@example.com"}
    assert client.post("/api/v1/consent/rebuild", headers=token("compliance")).status_code == 403
    rebuilt = client.post("/api/v1/consent/rebuild", headers=token("admin"))
    assert rebuilt.status_code == 200 and rebuilt.json["customers"] == 1
