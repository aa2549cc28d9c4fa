"""The dashboard's panels: each area adds its panels here with the roles that may see them.

A panel's `load(session, options)` calls its area's service function (aggregates only: no personal
data ever reaches the dashboard) and returns the context of its `template`, or None to leave it out.
The catalogue adds its "stale datasets" panel here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from core.roles import Role, allows
from web import dashboard_catalog, dashboard_consent

DASHBOARD_ROLES = (Role.ANALYST, Role.STEWARD, Role.COMPLIANCE)
PERIODS = (6, 12, 24, 36)  # months the dashboard can look back


@dataclass(frozen=True)
class Options:
    """What the dashboard's controls asked for: the period in months, and each panel's own arguments."""

    months: int
    args: Mapping[str, str]


@dataclass(frozen=True)
class Panel:
    """A titled dashboard panel, rendered by `template` with what `load` returns."""

    key: str
    title: str
    template: str
    roles: tuple[str, ...]
    load: Callable[[Session, Options], dict[str, Any] | None]


PANELS: list[Panel] = [
    Panel("contactable", "Contactable customers", "dashboard/_contactable.html", DASHBOARD_ROLES,
          dashboard_consent.contactable),
    Panel("opt_outs", "Opt-outs over time", "dashboard/_opt_outs.html", DASHBOARD_ROLES,
          dashboard_consent.opt_outs),
    Panel("arrivals", "Consent records arriving", "dashboard/_arrivals.html", DASHBOARD_ROLES,
          dashboard_consent.arrivals),
    Panel("stale_datasets", "Stale datasets", "dashboard/_stale.html", DASHBOARD_ROLES,
          dashboard_catalog.stale_datasets),
]  # fmt: skip


def panels_for(role: str) -> list[Panel]:
    """The panels this role may see, in order."""
    return [p for p in PANELS if allows(role, p.roles)]
