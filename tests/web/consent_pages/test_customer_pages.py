"""Customer lookup, the 360 with its decision matrix, the trace and the timeline (Flask test client)."""

from datetime import timedelta
from html import unescape

from jinja2 import ChoiceLoader, DictLoader

from core import clock
from tests.web.consent_data import SCRIPT_EVIDENCE, SCRIPT_NAME
from web import customer_sections


def text(response) -> str:
    return response.get_data(as_text=True)


def ago(days: float) -> str:
    return (clock.now() - timedelta(days=days)).isoformat()


def test_lookup_recognises_each_kind_of_identifier(officer, company):
    found = {
        "ann@example.com": "ann",
        "  ANN@Example.com ": "ann",
        "crm:C1": "ann",
        "billing:B1": "ann",
        company["bob"]: "bob",
        "+1 415 555 0142": None,  # a household's phone: two people
    }
    for query, who in found.items():
        response = officer.get("/compliance/customers", query_string={"q": query})
        if who is None:
            continue
        assert response.status_code == 302, query
        assert response.headers["Location"].endswith(f"/compliance/customers/{company[who]}"), query
    html = text(officer.get("/compliance/customers", query_string={"q": "(415) 555-0142"}))
    assert "2 customers share the phone" in html
    assert company["bob"] in html and company["bea"] in html
    assert "Bob" in html and "Bea" in html


def test_lookup_errors_are_next_to_the_field_and_keep_the_text(officer, company):
    cases = {
        "nobody@example.com": "no customer with email",
        "crm:NOPE": "no customer with source key",
        "cus_doesnotexist": "no customer with customer id",
        "not-an-email@": "not a valid email",
    }
    for query, message in cases.items():
        response = officer.get("/compliance/customers", query_string={"q": query})
        html = text(response)
        assert response.status_code in (404, 422), query
        assert message in unescape(html), query
        assert 'class="field has-error"' in html and 'id="q-error"' in html
        assert f'value="{query}"' in html


def test_customer_page_records_merge_reasons_and_matrix(officer, company):
    html = unescape(text(officer.get(f"/compliance/customers/{company['ann']}")))
    assert "Ann Example" in html
    assert all(key in html for key in ("billing:B1", "crm:C1", "marketing:M1"))
    assert "same email" in html and "ann@example.com" in html  # why the records are one customer
    assert "opt_out" in html and "transactional" in html  # the later opt-out wins; transactional allowed
    assert "Consent timeline (2 facts)" in html
    # The matrix as it was before the opt-out.
    earlier = (clock.now() - timedelta(days=100)).strftime("%Y-%m-%d")
    html = text(officer.get(f"/compliance/customers/{company['ann']}", query_string={"at": earlier}))
    assert "explicit_opt_in" in html and f"Evaluated live at <strong>{earlier}" in html
    # A bad instant: message next to the field, text kept, decisions shown as of now.
    response = officer.get(f"/compliance/customers/{company['ann']}", query_string={"at": "2025-13-45"})
    assert response.status_code == 422
    assert "is not a date or instant" in unescape(text(response)) and 'value="2025-13-45"' in text(response)
    for page in ("", "/history", "/decision"):
        assert officer.get(f"/compliance/customers/cus_nobody{page}").status_code == 404


def test_trace_shows_the_deciding_record_and_every_fact_considered(officer, company):
    url = f"/compliance/customers/{company['ann']}/decision"
    response = officer.get(url, query_string={"channel": "email", "purpose": "marketing"})
    html = unescape(text(response))
    assert response.status_code == 200
    assert "denied" in html and "opt_out" in html and "unsubscribe_link" in html
    assert ">p2<" in html and "sets opt_out" in html and "reference-v1" in html
    # Captured 10 days ago, received 2 days ago: 5 days ago Concord could not have known the opt-out.
    query = {"channel": "email", "purpose": "marketing", "at": ago(5)}
    assert "opt_out" in unescape(text(officer.get(url, query_string=query)))
    known = unescape(text(officer.get(url, query_string={**query, "known_at": query["at"]})))
    assert "explicit_opt_in" in known and "https://evidence.example/ann" in known


def test_trace_form_errors_are_next_to_their_field(officer, company):
    url = f"/compliance/customers/{company['ann']}/decision"
    cases = [
        ({"channel": "fax", "purpose": "marketing"}, "channel", "unknown channel"),
        ({"channel": "email", "purpose": "spam"}, "purpose", "unknown purpose"),
        ({"channel": "email", "purpose": "marketing", "at": "yesterday"}, "at", "is not a date or instant"),
        ({"channel": "email", "purpose": "marketing", "known_at": "2025-02-30"}, "known_at", "is not a date"),
    ]
    for query, field, message in cases:
        response = officer.get(url, query_string=query)
        html = unescape(text(response))
        assert response.status_code == 422, query
        assert f'id="{field}-error"' in html and message in html, query
        if field in ("at", "known_at"):
            assert f'value="{query[field]}"' in html


def test_timeline_in_event_order_with_arrival_method_and_evidence(officer, company):
    html = unescape(text(officer.get(f"/compliance/customers/{company['ann']}/history")))
    assert html.index('id="fact-crm-p1"') < html.index('id="fact-marketing-p2"')
    assert "https://evidence.example/ann" in html
    assert "method web form" in html and "method unsubscribe link" in html
    assert "8.0 days later" in html  # captured ten days ago, received two days ago
    bob = f"/compliance/customers/{company['bob']}/history"
    html = text(officer.get(bob, query_string={"kind": "gpc_signal"}))
    assert 'id="fact-support-g1"' in html and 'id="fact-marketing-sp1"' not in html


def test_names_and_evidence_from_sources_are_escaped(officer, company):
    evil = company["evil"]
    pages = [
        f"/compliance/customers/{evil}",
        f"/compliance/customers/{evil}/history",
        f"/compliance/customers/{evil}/decision?channel=email&purpose=marketing",
        "/compliance/customers?q=crm:C9",
    ]
    for url in pages:
        html = text(officer.get(url, follow_redirects=True))
        assert SCRIPT_NAME not in html and SCRIPT_EVIDENCE not in html, url
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in text(officer.get(pages[0]))


def test_only_compliance_and_admin_reach_customer_pages(signed_in, company):
    cid = company["ann"]
    urls = [
        "/compliance/customers",
        "/compliance/customers?q=ann@example.com",
        f"/compliance/customers/{cid}",
        f"/compliance/customers/{cid}/decision?channel=email&purpose=marketing",
        f"/compliance/customers/{cid}/history",
    ]
    for role in ("marketing", "analyst", "steward"):
        client = signed_in(role)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 403, (role, url)
            assert "ann@example.com" not in text(response)
    assert signed_in("admin").get(urls[2]).status_code == 200


def test_other_areas_add_sections_to_the_customer_page(app, officer, company, monkeypatch):
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"test/_section.html": "<p id='extra'>{{ ctx.note }}</p>"}), app.jinja_env.loader]
    )
    section = customer_sections.CustomerSection(
        "extra",
        "Exports that included this customer",
        "test/_section.html",
        lambda session, cid: {"note": f"<b>{cid}</b>"} if cid == company["ann"] else None,
    )
    monkeypatch.setattr(customer_sections, "CUSTOMER_SECTIONS", [])
    before = text(officer.get(f"/compliance/customers/{company['ann']}"))
    assert "Exports that included this customer" not in before  # nothing registered: nothing shown
    monkeypatch.setattr(customer_sections, "CUSTOMER_SECTIONS", [section])
    html = text(officer.get(f"/compliance/customers/{company['ann']}"))
    assert "<h2>Exports that included this customer</h2>" in html
    assert f"<p id='extra'>&lt;b&gt;{company['ann']}&lt;/b&gt;</p>" in html
    assert "Exports that included" not in text(officer.get(f"/compliance/customers/{company['bob']}"))
