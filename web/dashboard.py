"""The dashboard: consent-level aggregates as charts with their numbers, and panels other areas add."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from api.context import db_session
from web.auth import login_required
from web.dashboard_panels import DASHBOARD_ROLES, PERIODS, Options, panels_for

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
DEFAULT_MONTHS = 12


@bp.route("")
@login_required(*DASHBOARD_ROLES)
def index():
    """Every panel the signed-in role may see, for the chosen period."""
    months = request.args.get("months", DEFAULT_MONTHS, type=int)
    months = months if months in PERIODS else DEFAULT_MONTHS
    options = Options(months=months, args=request.args)
    session = db_session()
    loaded = []
    for panel in panels_for(g.user.role):
        context = panel.load(session, options)
        if context is not None:
            loaded.append((panel, context))
    return render_template("dashboard/index.html", panels=loaded, months=months, periods=PERIODS)
