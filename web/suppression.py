"""Suppression pages: lists with live and expired entries, do-not-call requests, GPC, registry freshness."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from api.context import db_session
from consent import lists
from core.roles import Role
from web.auth import login_required
from web.fields import or_error_page

bp = Blueprint("suppression", __name__, url_prefix="/compliance/suppression")
KIND_TITLES = {
    "suppression": "Suppression list",
    "dnc_request": "Company do-not-call requests",
    "gpc_signal": "Global Privacy Control signals",
}


@bp.route("")
@login_required(Role.COMPLIANCE)
def index():
    """Every list at a glance, with a warning when a registry snapshot is stale or nearly so."""
    overview = lists.overview(db_session())
    return render_template("suppression/index.html", o=overview, warn_days=lists.WARN_DAYS)


@bp.route("/entries")
@login_required(Role.COMPLIANCE)
def entries():
    """The entries of one list (or the do-not-call requests, or GPC signals), newest first, paged."""
    kind = request.args.get("kind", "suppression")
    page = or_error_page(
        lists.entries,
        db_session(),
        kind=kind,
        list_name=request.args.get("list") or None,
        before=request.args.get("before", type=int),
    )
    return render_template("suppression/entries.html", page=page, title=KIND_TITLES[kind])
