"""The landing page: what each role can do here."""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template

from web.auth import login_required
from web.nav import visible_items

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required()
def index():
    """Links to the areas the signed-in role may open."""
    items = visible_items(g.user.role, set(current_app.view_functions))
    return render_template("home.html", items=items)
