"""Suppression pages: lists with live and expired entries, do-not-call, GPC, and registry age warnings."""

from datetime import timedelta
from html import unescape

from consent.ingest import ingest_events
from core import clock
from core.clock import iso
from tests.web.consent_data import FEED


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_overview_counts_live_and_expired_entries(officer, company):
    html = text(officer.get("/compliance/suppression"))
    assert "us_national" in html and "fresh" in html and "3.0 days" in html
    assert "stale" not in html.split("Do-not-call registries")[0]  # no warning banner above the table
    row = html.split(">hard bounce</a>")[1].split("</tr>")[0]
    assert [cell.strip() for cell in row.split("<td>")[2:5]] == ["2</td>", "1</td>", "1</td>"]
    assert "1</span> do-not-call (voice)" in html
    assert "1</span> signals" in html


def test_entries_pages_link_to_customers(officer, company):
    html = text(
        officer.get(
            "/compliance/suppression/entries", query_string={"kind": "suppression", "list": "hard_bounce"}
        )
    )
    assert "bea@example.com" in html and "old@example.com" in html
    assert html.count(">live<") == 1 and html.count(">expired<") == 1
    assert "/compliance/customers?q=bea@example.com" in html
    html = text(officer.get("/compliance/suppression/entries", query_string={"kind": "dnc_request"}))
    assert "+14155550142" in html and "voice" in html
    html = text(officer.get("/compliance/suppression/entries", query_string={"kind": "gpc_signal"}))
    assert "support:S1" in html
    assert officer.get("/compliance/suppression/entries", query_string={"kind": "rumours"}).status_code == 422


def _snapshot(db, days_old: float, sid: str):
    event = {"type": "dnc_registry_snapshot", "source": "registry", "id": sid, "registry": "us_national",
             "downloaded_at": iso(clock.now() - timedelta(days=days_old)), "listed_numbers": ["4155550100"]}  # fmt: skip
    with db.session(write=True) as session:
        ingest_events(session, events=[event], actor=FEED)


def test_registry_age_warnings(officer, db, signed_in):
    assert "No us_national registry snapshot is loaded" in text(officer.get("/compliance/suppression"))
    _snapshot(db, 28, "old")
    html = text(officer.get("/compliance/suppression"))
    assert "turns stale in 3.0 days" in html and "stale in 3.0 days" in html
    later = clock.now() + timedelta(days=4)
    with clock.frozen(later):
        html = text(officer.get("/compliance/suppression"))
    assert (
        "registry snapshot is stale" in html and "registry_stale" in html and "stale: voice blocked" in html
    )


def test_suppression_pages_are_for_compliance_and_admin(signed_in, company):
    for role in ("marketing", "analyst", "steward"):
        client = signed_in(role)
        assert client.get("/compliance/suppression").status_code == 403
        response = client.get("/compliance/suppression/entries", query_string={"list": "hard_bounce"})
        assert response.status_code == 403 and "bea@example.com" not in text(response)
    assert signed_in("admin").get("/compliance/suppression").status_code == 200
