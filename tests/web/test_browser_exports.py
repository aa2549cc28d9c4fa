"""In a real headless Chromium: a marketing user uploads a segment, watches it finish and downloads the result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from consent.ingest import ingest_events
from core.audit import Actor
from tests.consent.conftest import consent, profile

pytestmark = pytest.mark.browser


@pytest.fixture
def company(db):
    events = [profile(f"C{i}", emails=[f"person{i}@example.com"]) for i in range(12)]
    events += [consent(f"p{i}", f"C{i}", captured_at="2025-01-01T00:00:00Z") for i in range(0, 12, 2)]
    events.append(consent("u1", "C2", status="opt_out", captured_at="2025-02-01T00:00:00Z"))
    with db.session(write=True) as session:
        ingest_events(session, events=events, actor=Actor(name="feed", role="ingest"))


def test_marketing_uploads_a_segment_and_downloads_the_compliant_list(
    browser_login, live_server, screenshot, company, tmp_path
):
    segment = tmp_path / "spring.csv"
    rows = [f"person{i}@example.com" for i in range(12)] + ["person0@example.com", "nobody@example.com"]
    segment.write_text("email\n" + "\n".join(rows) + "\n")
    page = browser_login("marketing")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", name="Segment exports")).to_be_visible()
    page.get_by_label("Segment file").set_input_files(str(segment))
    page.get_by_label("Channel").select_option("email")
    page.get_by_label("Purpose").select_option("marketing")
    page.get_by_label("Campaign").fill("Spring sale")
    screenshot(page, "exports-upload")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Upload and export").click()
    if posted.value.status != 302:
        page.wait_for_load_state()
        pytest.fail(f"upload refused ({posted.value.status}): {page.locator('p.error').all_inner_texts()}")
    page.wait_for_url(re.compile(r"/marketing/exports/exp_"))
    expect(page.locator("#compliant-count")).to_have_text("5")
    expect(page.locator("svg.chart")).to_be_visible()
    screenshot(page, "exports-result")
    with page.expect_download() as caught:
        page.locator("#download-csv").click()
    path = tmp_path / "compliant.csv"
    caught.value.save_as(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "customer_id,contact_point,reason"
    assert sorted(line.split(",")[1] for line in lines[1:]) == [
        f"person{i}@example.com" for i in (0, 10, 4, 6, 8)
    ]
    page.get_by_role("link", name="Segment exports").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    screenshot(page, "exports-past")


def test_a_bad_segment_shows_the_error_next_to_the_file_field(browser_login, tmp_path, company):
    segment = tmp_path / "wrong.csv"
    segment.write_text("name,city\nAnn,Berlin\n")
    page = browser_login("marketing")
    page.goto(page.url.rstrip("/") + "/marketing/exports")
    page.get_by_label("Segment file").set_input_files(str(segment))
    page.get_by_label("Channel").select_option("sms")
    page.get_by_role("button", name="Upload and export").click()
    expect(page.locator("#file-error")).to_contain_text("no identifier column")
    assert page.get_by_label("Channel").input_value() == "sms"
