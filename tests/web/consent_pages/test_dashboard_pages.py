"""The dashboard: consent aggregates as charts with their numbers, for every role but marketing, no PII."""

import re
from datetime import timedelta
from html import unescape

from core import clock


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_dashboard_shows_three_consent_panels_as_charts_and_tables(signed_in, company):
    html = text(signed_in("analyst").get("/dashboard"))
    for title in ("Contactable customers", "Opt-outs over time", "Consent records arriving"):
        assert f">{title}</h2>" in html
    # Five consent charts in three tables, plus the catalogue's stale-datasets panel (one of each).
    assert html.count('<svg class="chart"') == 6
    assert html.count("The numbers as a table") == 4
    # Email marketing: Ann opted out, Bob complained, Bea bounced; only the GB customer may be emailed.
    assert "email · marketing: 25 % (1 of 4)" in html
    assert re.search(r"<th scope=\"row\">GB</th><td>1</td><td>100.0 %</td>", html)
    # Ann's opt-out was captured ten days ago.
    month = (clock.now() - timedelta(days=10)).strftime("%Y-%m")
    assert re.search(rf"<th scope=\"row\">{month}</th><td>1</td>", html)
    # crm delivered two records (lags of 1 and 30 days), marketing one (8 days).
    assert re.search(r"<th scope=\"row\">crm</th><td>2</td><td>24.0 h</td><td>30.0 days</td>", html)
    assert re.search(r"<th scope=\"row\">marketing</th><td>1</td><td>8.0 days</td><td>8.0 days</td>", html)


def test_dashboard_never_shows_personal_data(signed_in, company):
    html = text(signed_in("steward").get("/dashboard", query_string={"months": 36, "jchannel": "email"}))
    assert "Contactable share per jurisdiction (email marketing)" in html
    for secret in ("example.com", "4155550142", "Ann", "Smith", "<script>", *company.values()):
        assert secret not in html, secret


def test_dashboard_roles(signed_in, company):
    clients = {role: signed_in(role) for role in ("analyst", "steward", "compliance", "admin", "marketing")}
    for role in ("analyst", "steward", "compliance", "admin"):
        assert clients[role].get("/dashboard").status_code == 200, role
    assert clients["marketing"].get("/dashboard").status_code == 403
    nav = text(clients["analyst"].get("/"))
    assert ">Dashboard</a>" in nav and ">Customers</a>" not in nav and ">Policies</a>" not in nav
