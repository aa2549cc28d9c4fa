"""Glossary and certified metrics: business terms and the customer 360 metric definitions, with their links."""

from __future__ import annotations

from flask import Blueprint, render_template

from api.context import db_session
from catalog import glossary, metrics
from web.auth import login_required
from web.catalogue import READERS
from web.fields import or_error_page

bp = Blueprint("glossary", __name__, url_prefix="/glossary")


@bp.route("")
@login_required(*READERS)
def index():
    """Every term and every metric, certified metrics first."""
    session = db_session()
    found = metrics.list_metrics(session)
    ordered = sorted(found, key=lambda m: (m.certification != "certified", m.name.lower()))
    return render_template("glossary/index.html", terms=glossary.list_terms(session), metrics=ordered)


@bp.route("/terms/<term_id>")
@login_required(*READERS)
def term(term_id: str):
    """A term: definition, owner, synonyms, status, linked datasets and columns, and its metrics."""
    session = db_session()
    found = or_error_page(glossary.get_term, session, term=term_id)
    related = [m for m in metrics.list_metrics(session) if m.term and m.term.lower() == found.name.lower()]
    return render_template("glossary/term.html", t=found, metrics=related)


@bp.route("/metrics/<key>")
@login_required(*READERS)
def metric(key: str):
    """A metric: definition, formula, unit, grain, owner, certification, linked datasets and columns."""
    found = or_error_page(metrics.get_metric, db_session(), key=key)
    return render_template("glossary/metric.html", m=found)
