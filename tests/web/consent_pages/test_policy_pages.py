"""Policy pages: versions, YAML, upload (with errors next to the text), diff, background dry-run, activation."""

import io
import time
from html import unescape

from consent.policy_loader import reference_text
from core import audit

V2 = (
    reference_text()
    .replace("policy: reference-v1", "policy: reference-v2")
    .replace("sms.marketing: {model: opt_in}, voice", "sms.marketing: {model: opt_out}, voice")
)


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(client, csrf_of, yaml_text: str):
    page = text(client.get("/compliance/policies/new"))
    return client.post("/compliance/policies/new", data={"text": yaml_text, "csrf_token": csrf_of(page)})


def test_versions_yaml_and_upload_of_a_new_version(officer, company, csrf_of):
    html = text(officer.get("/compliance/policies"))
    assert "reference-v1" in html and "active" in html
    shown = text(officer.get("/compliance/policies/versions/reference-v1"))
    assert "clock_skew_tolerance: PT5M" in shown
    assert 'id="L13"' in shown  # line numbers to point at
    assert "policy: reference-v1" in text(
        officer.get("/compliance/policies/new")
    )  # starts from the active one
    response = upload(officer, csrf_of, V2)
    assert response.status_code == 302 and response.headers["Location"].endswith("/versions/reference-v2")
    html = text(officer.get("/compliance/policies"))
    assert "reference-v2" in html and "inactive" in html
    assert officer.get("/compliance/policies/versions/nope").status_code == 404


def test_a_broken_policy_shows_line_and_field_and_keeps_the_text(officer, company, csrf_of):
    broken = V2.replace("strategy: ordered_log", "strategy: coin_flip")
    response = upload(officer, csrf_of, broken)
    html = text(response)
    assert response.status_code == 422
    assert 'id="text-error"' in html
    assert "line 13, evaluation.strategy" in unescape(html)
    assert '<span class="hl"><span class="ln">13</span>' in html  # the line, highlighted above the text
    assert "strategy: coin_flip" in html  # the text is kept
    not_yaml = "policy: [unclosed\n"
    response = upload(officer, csrf_of, not_yaml)
    assert response.status_code == 422 and "line" in text(response)
    assert "policy: [unclosed" in text(response)
    response = upload(officer, csrf_of, "")
    assert response.status_code == 422 and "the policy is empty" in text(response)
    assert "reference-v2" not in text(officer.get("/compliance/policies"))


def test_diff_side_by_side(officer, company, csrf_of):
    upload(officer, csrf_of, V2)
    html = text(
        officer.get("/compliance/policies/diff", query_string={"old": "reference-v1", "new": "reference-v2"})
    )
    assert '<td class="txt del">' in html and '<td class="txt add">' in html
    assert "sms.marketing: {model: opt_out}, voice" in html
    assert ">+2<" in html and ">\u22122<" in html  # the name line and the rule line
    assert "unchanged lines" in html
    # Only the new version: compared with the active one.
    assert "reference-v1</code> → <code>reference-v2" in text(
        officer.get("/compliance/policies/diff", query_string={"new": "reference-v2"})
    )
    response = officer.get("/compliance/policies/diff", query_string={"old": "nope", "new": "reference-v2"})
    assert response.status_code == 404 and 'id="old-error"' in text(response)


def wait_for_dry_run(client, location: str) -> str:
    for _ in range(300):  # bounded: at most about 30 s
        html = text(client.get(location))
        if "Evaluating every customer" not in html:
            return html
        time.sleep(0.1)
    raise AssertionError("the dry-run did not finish")


def test_dry_run_runs_in_the_background_and_keeps_its_result(officer, company, csrf_of, db):
    upload(officer, csrf_of, V2)
    page = text(officer.get("/compliance/policies/versions/reference-v2"))
    response = officer.post(
        "/compliance/policies/versions/reference-v2/dry-runs", data={"csrf_token": csrf_of(page)}
    )
    assert response.status_code == 302
    html = unescape(wait_for_dry_run(officer, response.headers["Location"]))
    assert "decisions would change" in html
    # Ann (DE) has no SMS consent: an opt-out model allows SMS marketing.
    assert "✖ no_consent → ✔ nonrestrictive_default" in html
    assert company["ann"] in html
    assert "<svg" in html and "The numbers as a table" in html
    assert "would change" in text(officer.get("/compliance/policies/versions/reference-v2"))
    with db.session() as session:
        assert any(e.action == "consent.policy.dry_run" for e in audit.recent(session, limit=20))


def test_activation_asks_for_confirmation_then_re_evaluates(officer, company, csrf_of, db):
    upload(officer, csrf_of, V2)
    page = text(officer.get("/compliance/policies/versions/reference-v2"))
    url = "/compliance/policies/versions/reference-v2/activate"
    response = officer.post(url, data={"csrf_token": csrf_of(page)})
    assert response.status_code == 422 and 'id="confirm-error"' in text(response)
    response = officer.post(url, data={"csrf_token": csrf_of(page), "confirm": "y"}, follow_redirects=True)
    assert "Policy reference-v2 is active (was reference-v1)" in text(response)
    trace = officer.get(
        f"/compliance/customers/{company['ann']}/decision",
        query_string={"channel": "sms", "purpose": "marketing"},
    )
    assert "nonrestrictive_default" in text(trace) and "reference-v2" in text(trace)
    with db.session() as session:
        assert any(e.action == "consent.policy.activate" for e in audit.recent(session, limit=20))


def test_policy_pages_are_for_compliance_and_admin(signed_in, company, csrf_of):
    for role in ("marketing", "analyst", "steward"):
        client = signed_in(role)
        assert client.get("/compliance/policies").status_code == 403
        assert client.get("/compliance/policies/versions/reference-v1").status_code == 403
        token = csrf_of(text(client.get("/")))
        assert (
            client.post("/compliance/policies/new", data={"text": V2, "csrf_token": token}).status_code == 403
        )
        activate = "/compliance/policies/versions/reference-v1/activate"
        assert client.post(activate, data={"csrf_token": token, "confirm": "y"}).status_code == 403
    assert signed_in("admin").get("/compliance/policies").status_code == 200


def test_upload_from_a_file(officer, company, csrf_of):
    page = text(officer.get("/compliance/policies/new"))
    bad = officer.post(
        "/compliance/policies/new",
        data={"text": "", "csrf_token": csrf_of(page), "file": (io.BytesIO("é".encode("latin-1")), "p.yaml")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and 'id="file-error"' in text(bad) and "not UTF-8" in text(bad)
    good = officer.post(
        "/compliance/policies/new",
        data={"text": "", "csrf_token": csrf_of(page), "file": (io.BytesIO(V2.encode()), "v2.yaml")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302 and good.headers["Location"].endswith("/versions/reference-v2")
