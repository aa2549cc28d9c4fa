"""In a real headless Chromium, on the sample company's catalogue: search, a dataset's lineage, stewardship."""

import re

import pytest
from playwright.sync_api import expect

from catalog import freshness
from core.audit import SYSTEM

pytestmark = pytest.mark.browser


def test_analyst_searches_opens_a_dataset_and_follows_its_lineage(
    browser_login, live_server, screenshot, seeded, runtime
):
    page = browser_login("analyst")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalogue").click()
    box = page.get_by_label("Search datasets")
    box.press_sequentially("dim_cust", delay=30)  # instant results: no submit
    hits = page.locator("ol.hit-list li.hit")
    expect(hits.first).to_contain_text("dim_customer")
    assert "q=dim_cust" in page.url  # the address follows, so the search can be shared
    # A facet narrows the results in place.
    box.fill("email")
    expect(page.locator("#facet-source_system")).to_be_visible()
    page.locator("#facet-source_system input[value=crm]").check()
    expect(page.locator("#facet-source_system input[value=crm]")).to_be_checked()
    expect(hits.first).to_contain_text("crm")
    for text in hits.locator(".small.muted").all_inner_texts():
        assert "crm" in text
    screenshot(page, "catalogue-search")

    page.goto(f"{live_server}/catalogue?q=dim_customer")
    page.locator("a.hit-name", has_text="dim_customer").first.click()
    page.wait_for_url(re.compile(r"/catalogue/datasets/ds_"))
    graph = page.locator("svg.lineage").first
    expect(graph).to_be_visible()
    expect(graph.locator("a.lineage-node")).to_have_count(5)  # contacts → job → dim_customer → job → audience
    expect(graph.locator(".lineage-node.centre")).to_contain_text("dim_customer")
    expect(graph.locator("path.lineage-edge")).to_have_count(4)
    # Upstream is drawn left of the centre, downstream right of it.
    up = graph.locator(".lineage-node.dataset.upstream rect").bounding_box()
    centre = graph.locator(".lineage-node.centre rect").bounding_box()
    down = graph.locator(".lineage-node.dataset.downstream rect").bounding_box()
    assert up["x"] < centre["x"] < down["x"]

    # Click a column: its lineage appears without leaving the page.
    page.locator("a.column-link[data-column=email]").click()
    panel = page.locator("#column-lineage")
    expect(panel.locator("svg.lineage")).to_be_visible()
    expect(panel.locator(".cl-upstream")).to_contain_text("contacts.email")
    expect(panel.locator(".cl-downstream")).to_contain_text("newsletter_audience.email")
    assert "column=email" in page.url
    screenshot(page, "dataset-lineage")

    # Depth 1 from the source table reaches one job each way; nodes open their own pages.
    page.locator(".lineage-node.upstream.dataset").first.click()
    page.wait_for_url(re.compile(r"/catalogue/datasets/"))
    expect(page.locator("h1")).to_contain_text("contacts")
    page.select_option("#depth", "1")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("svg.lineage").first.locator(".lineage-node")).to_have_count(3)
    page.locator("svg.lineage .lineage-node.job").first.click()
    expect(page.get_by_role("heading", name="Job")).to_be_visible()
    expect(page.locator("dl")).to_contain_text("dim_customer")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Glossary").click()
    expect(page.get_by_role("heading", name=re.compile("Metrics"))).to_be_visible()
    page.locator("table a").first.click()
    expect(page.get_by_role("heading", name="Formula")).to_be_visible()
    screenshot(page, "glossary-metric")
    page.go_back()
    screenshot(page, "glossary")

    # The dashboard's stale-datasets panel: the warehouse tables, last written in May 2025, are expected
    # daily; the freshly scanned sources are fresh.
    with runtime.db.session(write=True) as session:
        for dataset_id in (seeded.dim_customer, seeded.audience):
            freshness.set_expected_interval(session, dataset_id=dataset_id, seconds=86_400, actor=SYSTEM)
        freshness.flag_stale_datasets(session)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    panel = page.locator("#panel-stale_datasets")
    expect(panel.locator("svg.chart rect")).to_have_count(12)  # stale and fresh for 5 sources and "(none)"
    expect(panel.locator("ul.stale-list li")).to_have_count(2)
    expect(panel.locator("ul.stale-list")).to_contain_text("dim_customer")
    panel.scroll_into_view_if_needed()
    screenshot(page, "dashboard-stale-datasets")


def test_steward_certifies_a_dataset_and_rejects_a_classification(
    browser_login, live_server, screenshot, seeded
):
    page = browser_login("steward")
    page.goto(f"{live_server}/catalogue/datasets/{seeded.contacts}")
    page.get_by_role("link", name="Steward this dataset").click()
    # A date in the past: the message next to the field, the note kept.
    page.get_by_label("What was checked").fill("Matched against the CRM export")
    page.get_by_label("Valid until (empty: a year)").fill("2001-01-01")
    page.get_by_role("button", name="Certify").click()
    expect(page.locator("#expires_at-error")).to_contain_text("must be in the future")
    expect(page.get_by_label("What was checked")).to_have_value("Matched against the CRM export")
    page.get_by_label("Valid until (empty: a year)").fill("2099-06-30")
    page.get_by_role("button", name="Certify").click()
    expect(page.locator("p.flash")).to_contain_text("Certified.")
    expect(page.locator("h1 .cert")).to_contain_text("certified")

    row = page.locator("tr.class-row").filter(has=page.locator("td", has_text="suggested")).first
    column, pii_class = row.get_attribute("data-column"), row.get_attribute("data-class")
    row.get_by_role("button", name="Reject").click()
    expect(page.locator("p.flash")).to_contain_text(f"{pii_class} on {column}: rejected")
    rejected = page.locator(f'tr.class-row[data-column="{column}"][data-class="{pii_class}"]')
    expect(rejected).to_contain_text("rejected")
    screenshot(page, "steward-dataset")

    page.get_by_role("link", name="Source systems").click()
    expect(page.locator("table")).to_contain_text("crm")
    page.get_by_label("Name", exact=True).fill("erp")
    page.get_by_label("SQLAlchemy URL").fill("oracle://erp")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#url-error")).to_be_visible()
    expect(page.get_by_label("SQLAlchemy URL")).to_have_value("oracle://erp")
    screenshot(page, "steward-sources")
    page.locator("tr", has_text="crm").get_by_role("button", name="Scan now").click()
    expect(page.locator("#scan-outcome")).to_contain_text("tables read", timeout=30_000)

    page.goto(f"{live_server}/catalogue/datasets/{seeded.contacts}")
    expect(page.locator("h1 .cert")).to_contain_text("certified")


def test_other_roles_cannot_reach_steward_or_catalogue_pages(browser_login, live_server, seeded):
    page = browser_login("analyst")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Stewardship").count() == 0
    response = page.goto(f"{live_server}/steward/datasets/{seeded.contacts}")
    assert response.status == 403
    page.goto(f"{live_server}/catalogue/datasets/{seeded.contacts}")
    assert page.get_by_role("link", name="Steward this dataset").count() == 0


def test_marketing_cannot_reach_catalogue_or_steward_pages(browser_login, live_server, seeded):
    page = browser_login("marketing")
    nav = page.get_by_role("navigation", name="Main")
    for label in ("Catalogue", "Glossary", "Stewardship"):
        assert nav.get_by_role("link", name=label).count() == 0
    for path in (
        "/catalogue",
        f"/catalogue/datasets/{seeded.contacts}",
        "/glossary",
        "/steward",
        "/steward/sources",
    ):
        assert page.goto(f"{live_server}{path}").status == 403
