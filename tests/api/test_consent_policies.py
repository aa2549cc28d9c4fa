"""Policy management over the API: list, show, upload (validated), dry-run, activate; all audited."""

from __future__ import annotations

import pytest

from consent.policy_loader import reference_text
from core import audit
from identity import service as identity
from tests.consent.conftest import profile

URL = "/api/v1/consent/policies"
STRICT = (
    reference_text()
    .replace("policy: reference-v1", "policy: strict-v2")
    .replace("email.marketing: {model: opt_out}", "email.marketing: {model: opt_in}")
)


def upload(client, headers, text):
    return client.post(URL, data=text.encode(), headers={**headers, "Content-Type": "application/yaml"})


@pytest.fixture
def us_customer(client, token, db):
    events = [profile("U1", jurisdiction="US-NY", emails=["una@example.com"])]
    assert (
        client.post("/api/v1/consent/events", json={"events": events}, headers=token("ingest")).status_code
        == 201
    )
    with db.session() as session:
        return identity.resolve(session, source_key="crm:U1")[0]


def eligibility(client, token, customer):
    params = {"customer": customer, "channel": "email", "purpose": "marketing"}
    return client.get("/api/v1/consent/eligibility", query_string=params, headers=token("compliance")).json


def test_builtin_reference_is_listed_and_shown(client, token):
    headers = token("compliance")
    listed = client.get(URL, headers=headers).json
    assert [(v["version"], v["active"], v["stored"]) for v in listed] == [("reference-v1", True, False)]
    shown = client.get(f"{URL}/reference-v1", headers=headers).json
    assert shown["text"] == reference_text()
    assert client.get(f"{URL}/nope", headers=headers).status_code == 404


def test_broken_policy_is_rejected_with_line_and_field_and_the_old_one_stays(client, token, us_customer):
    headers = token("compliance")
    broken = STRICT.replace("sms.marketing:   {model: opt_in}", "sms.marketing:   {modle: opt_in}")
    r = upload(client, headers, broken)
    assert r.status_code == 422
    assert r.json["field"] == "jurisdictions[2].rules.sms.marketing.modle"
    assert r.json["line"] == broken[: broken.index("modle")].count("\n") + 1
    assert f"line {r.json['line']}" in r.json["message"]
    assert [v["version"] for v in client.get(URL, headers=headers).json] == ["reference-v1"]
    assert eligibility(client, token, us_customer)["reason"] == "nonrestrictive_default"


def test_upload_dry_run_activate(client, token, us_customer, db):
    headers = token("compliance")
    r = upload(client, headers, STRICT)
    assert r.status_code == 201 and r.json["version"] == "strict-v2" and not r.json["active"]
    versions = {v["version"]: v["active"] for v in client.get(URL, headers=headers).json}
    assert versions == {"reference-v1": True, "strict-v2": False}

    dry = client.post(f"{URL}/strict-v2/dry-run", headers=headers).json
    assert dry["candidate"] == "strict-v2" and dry["active"] == "reference-v1"
    assert dry["customers"] == 1 and dry["changed"] >= 1
    change = {"before": {"allowed": True, "reason": "nonrestrictive_default"},
              "after": {"allowed": False, "reason": "no_consent"}}  # fmt: skip
    assert any(t["before"] == change["before"] and t["after"] == change["after"] for t in dry["transitions"])
    assert dry["sample"][0]["customer_id"] == us_customer
    assert (
        eligibility(client, token, us_customer)["reason"] == "nonrestrictive_default"
    )  # a dry run changes nothing

    activated = client.post(f"{URL}/strict-v2/activate", headers=headers)
    assert activated.status_code == 200
    assert activated.json["previous"] == "reference-v1" and activated.json["customers"] == 1
    after = eligibility(client, token, us_customer)
    assert (after["reason"], after["policy_version"]) == ("no_consent", "strict-v2")
    with db.session() as session:
        actions = {e.action for e in audit.recent(session, limit=20)}
    assert {"consent.policy.upload", "consent.policy.activate", "consent.rebuild"} <= actions


def test_dry_run_of_an_unstored_document(client, token, us_customer):
    r = client.post(f"{URL}/dry-run", json={"yaml": STRICT}, headers=token("compliance"))
    assert r.status_code == 200 and r.json["changed"] >= 1
    assert [v["version"] for v in client.get(URL, headers=token("compliance")).json] == ["reference-v1"]


def test_versions_are_immutable(client, token):
    headers = token("compliance")
    assert upload(client, headers, STRICT).status_code == 201
    assert upload(client, headers, STRICT).status_code == 201  # the same document again: idempotent
    changed = STRICT.replace("clock_skew_tolerance: PT5M", "clock_skew_tolerance: PT10M")
    r = upload(client, headers, changed)
    assert (r.status_code, r.json["field"]) == (409, "policy")


def test_marketing_cannot_manage_policies(client, token):
    headers = token("marketing")
    assert client.get(URL, headers=headers).status_code == 403
    assert upload(client, headers, STRICT).status_code == 403
    assert client.post(f"{URL}/reference-v1/activate", headers=headers).status_code == 403
