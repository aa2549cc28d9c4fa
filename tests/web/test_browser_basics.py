"""In a real headless Chromium: sign in per role, see only that role's pages."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_admin_signs_in_creates_a_token_and_sees_it_once(browser_login, live_server, screenshot):
    page = browser_login("admin")
    topbar = page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert topbar == "rgb(15, 23, 42)", "the stylesheet did not load"
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Access")).to_be_visible()
    nav.get_by_role("link", name="Access").click()
    page.fill("#token-name", "segment-sync")
    page.select_option("#token-role", "marketing")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_be_visible()
    secret = page.locator("#new-token").inner_text()
    assert secret.startswith("cnc_")
    screenshot(page, "admin-access")
    page.reload()
    assert page.locator("#new-token").count() == 0
    expect(page.get_by_text("segment-sync")).to_be_visible()


def test_compliance_sees_audit_log_but_not_access(browser_login, live_server, screenshot):
    page = browser_login("compliance")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Access").count() == 0
    nav.get_by_role("link", name="Audit log").click()
    expect(page.get_by_text("Chain intact")).to_be_visible()
    screenshot(page, "audit-log")
    response = page.goto(f"{live_server}/admin/access")
    assert response.status == 403
