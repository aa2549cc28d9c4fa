"""The navigation: each area adds its pages with the roles that may open them."""

from __future__ import annotations

from dataclasses import dataclass

from core.roles import Role, allows


@dataclass(frozen=True)
class NavItem:
    """A top-level page in the navigation bar."""

    label: str
    endpoint: str
    roles: tuple[str, ...]
    blurb: str = ""


NAV: list[NavItem] = [
    NavItem(
        "Catalogue",
        "catalogue.search",
        (Role.ANALYST, Role.STEWARD, Role.COMPLIANCE),
        "Find trusted datasets: schema, PII classes, owners, certification, lineage.",
    ),
    NavItem(
        "Glossary",
        "glossary.index",
        (Role.ANALYST, Role.STEWARD, Role.COMPLIANCE),
        "Business terms and the certified customer 360 metrics.",
    ),
    NavItem(
        "Stewardship",
        "steward.index",
        (Role.STEWARD,),
        "Certify and deprecate, decide PII classes, descriptions, owners, source scans.",
    ),
    NavItem(
        "Dashboard",
        "dashboard.index",
        (Role.ANALYST, Role.STEWARD, Role.COMPLIANCE),
        "Contactable share, opt-out trend, consent arrivals: counts only.",
    ),
    NavItem(
        "Customers",
        "compliance.customers",
        (Role.COMPLIANCE,),
        "Look up a customer: decisions, traces, consent history.",
    ),
    NavItem(
        "Policies", "policies.index", (Role.COMPLIANCE,), "Policy versions, diffs, dry-runs, activation."
    ),
    NavItem(
        "Suppression",
        "suppression.index",
        (Role.COMPLIANCE,),
        "Suppression lists, do-not-call, registry age.",
    ),
    NavItem(
        "Exports",
        "exports.index",
        (Role.MARKETING,),
        "Upload a segment; download the customers you may contact, with reasons.",
    ),
    NavItem("Audit log", "admin.audit_log", (Role.COMPLIANCE,), "Every write, hash-chained and verified."),
    NavItem("Access", "admin.access", (), "API tokens and web users."),
]


def visible_items(role: str | None, endpoints: set[str]) -> list[NavItem]:
    """Items this role may open whose pages exist in this app."""
    if role is None:
        return []
    return [i for i in NAV if i.endpoint in endpoints and allows(role, i.roles or (Role.ADMIN,))]
