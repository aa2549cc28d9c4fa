"""In a real headless Chromium, on the 300-person sample company: the compliance officer's pages end to end."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _pick(db) -> tuple[str, str]:
    """An email of a customer with several source records and consent records, and a household's phone."""
    with db.engine.connect() as conn:
        email = conn.execute(
            sa.text(
                "SELECT cp.value FROM id_contact_point cp JOIN consent_record r ON r.contact_point = cp.value "
                "WHERE cp.kind = 'email' AND cp.customer_id IN (SELECT customer_id FROM id_source_record "
                "GROUP BY customer_id HAVING COUNT(*) >= 3) AND cp.value NOT IN (SELECT contact_point FROM "
                "consent_suppression WHERE contact_point IS NOT NULL) ORDER BY cp.value LIMIT 1"
            )
        ).scalar_one()
        phone = conn.execute(
            sa.text(
                "SELECT value FROM id_contact_point WHERE kind = 'phone' GROUP BY value "
                "HAVING COUNT(DISTINCT customer_id) = 2 ORDER BY value LIMIT 1"
            )
        ).scalar_one()
    return email, phone


def test_compliance_officer_looks_up_a_customer_traces_a_decision_and_reads_the_timeline(
    browser_login, live_server, screenshot, sample_company
):
    email, household_phone = _pick(sample_company)
    page = browser_login("compliance")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_label("Customer id, email, phone or source key").fill(email.upper())
    page.get_by_role("button", name="Look up").click()
    page.wait_for_url(re.compile(r"/compliance/customers/cus_"))
    matrix = page.locator("table.matrix")
    expect(matrix.locator("tbody tr")).to_have_count(7)  # every purpose the policy keeps
    expect(page.get_by_role("heading", name="Why these records are one customer")).to_be_visible()
    assert email in page.locator("table.matrix thead").inner_text()
    screenshot(page, "customer-360")
    customer_url = page.url

    # Open the email x marketing cell: its trace.
    matrix.locator("tbody tr", has_text="marketing").first.locator("td").first.locator("a.cell-link").click()
    page.wait_for_url(re.compile(r"/decision\?"))
    expect(page.get_by_role("heading", name="Decided by")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Everything considered"))).to_be_visible()
    assert page.locator("#channel").input_value() == "email"
    # A bad instant: the message next to the field, the text kept.
    page.locator("#at").fill("2025-02-30")
    page.get_by_role("button", name="Trace").click()
    expect(page.locator("#at-error")).to_contain_text("'2025-02-30' is not a date")
    assert page.locator("#at").input_value() == "2025-02-30"
    page.locator("#at").fill("2025-01-01")
    page.get_by_role("button", name="Trace").click()
    expect(page.locator("section.decision")).to_contain_text("2025-01-01 00:00:00 UTC")
    expect(page.locator("#at-error")).to_have_count(0)
    page.locator("#at").fill("")
    page.get_by_role("button", name="Trace").click()
    screenshot(page, "decision-trace")

    page.goto(customer_url)
    page.get_by_role("link", name=re.compile("Consent timeline")).click()
    timeline = page.locator("ol.timeline")
    expect(timeline.locator("li.event").nth(1)).to_be_visible()
    evidence = timeline.locator("details.evidence").first
    evidence.locator("summary").click()
    expect(evidence.locator("dl")).to_be_visible()
    screenshot(page, "consent-timeline")

    # A household's phone: two people to choose from.
    page.goto(f"{live_server}/compliance/customers")
    page.get_by_label("Customer id, email, phone or source key").fill(household_phone)
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("heading", name=re.compile("2 customers share the phone"))).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Suppression").click()
    expect(page.get_by_role("heading", name="Do-not-call registries")).to_be_visible()
    expect(page.locator("span.badge.ok", has_text="fresh")).to_be_visible()
    screenshot(page, "suppression")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.locator("svg.chart")).to_have_count(6)  # five consent charts and the stale-datasets one
    assert page.locator("svg.chart rect").count() > 10
    page.locator("#panel-arrivals summary").click()
    expect(page.locator("#panel-arrivals table")).to_be_visible()
    screenshot(page, "dashboard")


def test_broken_policy_upload_then_diff_and_dry_run(browser_login, live_server, screenshot, company):
    page = browser_login("compliance")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Policies").click()
    page.get_by_role("link", name="Upload a new version").click()
    text = page.locator("#text").input_value()
    assert "policy: reference-v1" in text
    broken = text.replace("policy: reference-v1", "policy: reference-v2").replace(
        "tie_break: restrictive", "tie_break: whoever_shouts"
    )
    page.locator("#text").fill(broken)
    page.get_by_role("button", name="Validate and store").click()
    expect(page.locator("#text-error")).to_contain_text("evaluation.tie_break")
    assert "tie_break: whoever_shouts" in page.locator("#text").input_value()  # kept as typed
    assert "tie_break: whoever_shouts" in page.locator("pre.excerpt .hl").inner_text()
    screenshot(page, "policy-upload-error")

    fixed = broken.replace("whoever_shouts", "restrictive").replace(
        "sms.marketing: {model: opt_in}, voice", "sms.marketing: {model: opt_out}, voice"
    )
    page.locator("#text").fill(fixed)
    page.get_by_role("button", name="Validate and store").click()
    page.wait_for_url(re.compile(r"/versions/reference-v2$"))
    expect(page.get_by_role("status").first).to_contain_text("Policy reference-v2 stored")

    page.get_by_role("link", name="Differences from the active version").click()
    expect(page.locator("table.diff td.add", has_text="sms.marketing: {model: opt_out}")).to_be_visible()
    screenshot(page, "policies-diff")

    page.go_back()
    page.get_by_role("button", name="Dry-run against current data").click()
    expect(page.get_by_text("decisions would change")).to_be_visible(timeout=60_000)
    expect(page.locator("svg.chart")).to_have_count(1)
    assert page.get_by_text("✖ no_consent → ✔ nonrestrictive_default").count() >= 1
    screenshot(page, "policy-dry-run")


def test_marketing_never_reaches_customer_pages(browser_login, live_server, company):
    page = browser_login("marketing")
    nav = page.get_by_role("navigation", name="Main")
    for label in ("Customers", "Policies", "Suppression", "Dashboard", "Audit log"):
        assert nav.get_by_role("link", name=label).count() == 0
    for path in (
        f"/compliance/customers/{company['ann']}",
        f"/compliance/customers/{company['ann']}/history",
        f"/compliance/customers/{company['ann']}/decision?channel=email&purpose=marketing",
        "/compliance/customers?q=ann@example.com",
        "/compliance/policies",
        "/compliance/suppression",
        "/dashboard",
    ):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 403, path
        assert "ann@example.com" not in page.content()
        expect(page.get_by_role("heading", name=re.compile("403"))).to_be_visible()
