"""Marketing export pages through the Flask client: upload, errors next to fields, progress, download, roles."""

from __future__ import annotations

import io
import re

import pytest

from consent.ingest import ingest_events
from core.audit import Actor
from identity import service as identity
from tests.consent.conftest import consent, profile


@pytest.fixture
def people(db):
    events = [
        profile("C1", emails=["ann@example.com"], first_name="<script>x</script>"),
        profile("C2", emails=["bob@example.com"]),
        consent("p1", "C1", captured_at="2025-01-01T00:00:00Z"),
    ]
    with db.session(write=True) as session:
        ingest_events(session, events=events, actor=Actor(name="feed", role="ingest"))
    with db.session() as session:
        return {k: identity.resolve(session, source_key=k)[0] for k in ("crm:C1", "crm:C2")}


def post_segment(client, csrf_of, body: bytes, name="segment.csv", **fields):
    page = client.get("/marketing/exports").get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "channel": "email", "purpose": "marketing", "kind": "", **fields,
            "file": (io.BytesIO(body), name)}  # fmt: skip
    return client.post("/marketing/exports", data=data, content_type="multipart/form-data")


def test_upload_shows_counts_by_reason_and_downloads(signed_in, csrf_of, people):
    client = signed_in("marketing")
    response = post_segment(client, csrf_of, b"email\nann@example.com\nbob@example.com\nghost@example.com\n",
                            campaign="Spring <sale>")  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "may be contacted" in page and "<svg" in page
    assert "no_consent" in page and "unknown_customer" in page and "explicit_opt_in" in page
    assert "Spring &lt;sale&gt;" in page
    export_id = re.search(r"/marketing/exports/(exp_\w+)", response.headers["Location"]).group(1)
    csv_body = client.get(f"/marketing/exports/{export_id}/download").get_data(as_text=True)
    assert csv_body.splitlines()[1] == f"{people['crm:C1']},ann@example.com,explicit_opt_in"
    listing = client.get("/marketing/exports").get_data(as_text=True)
    assert export_id in listing


def test_bad_file_error_next_to_the_field_keeps_choices(signed_in, csrf_of, people):
    client = signed_in("marketing")
    response = post_segment(client, csrf_of, b"name,city\nAnn,Berlin\n", channel="sms")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page and "no identifier column" in page
    assert '<option selected value="sms">' in page
    response = post_segment(client, csrf_of, b"email\na@example.com\n", jurisdiction="not a code")
    assert response.status_code == 422 and 'id="jurisdiction-error"' in response.get_data(as_text=True)
    assert "No exports yet" in client.get("/marketing/exports").get_data(as_text=True)


def test_compliance_customer_page_lists_the_exports_and_roles_are_kept_apart(signed_in, csrf_of, people):
    marketing = signed_in("marketing")
    post_segment(marketing, csrf_of, b"source_key\ncrm:C1\ncrm:C2\n", campaign="Spring")
    compliance = signed_in("compliance")
    page = compliance.get(f"/compliance/customers/{people['crm:C1']}").get_data(as_text=True)
    assert "Exports that included this customer" in page and "Spring" in page and "explicit_opt_in" in page
    assert compliance.get("/marketing/exports").status_code == 403
    assert marketing.get(f"/compliance/customers/{people['crm:C1']}").status_code == 403
    assert signed_in("analyst").get("/marketing/exports").status_code == 403
