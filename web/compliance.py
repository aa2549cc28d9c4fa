"""Compliance pages for one customer: lookup, the 360 with its decision matrix, a decision trace, the timeline."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from wtforms import SelectField, StringField
from wtforms.validators import Length

from api.context import db_session
from consent import customer_view, decisions
from core.errors import InvalidInput, NotFound
from core.roles import Role
from identity import service as identity
from web.auth import login_required
from web.customer_sections import sections_for
from web.fields import InstantField, QueryForm, http_error, or_error_page

bp = Blueprint("compliance", __name__, url_prefix="/compliance")
# kind -> (label of one, label of the filter)
TIMELINE_KINDS = {
    "consent": ("Consent", "Consent records"),
    "suppression": ("Suppression", "Suppressions"),
    "dnc_request": ("Do-not-call", "Do-not-call requests"),
    "gpc_signal": ("GPC", "GPC signals"),
    "relationship": ("Relationship", "Purchases and inquiries"),
    "registry_snapshot": ("Registry", "Registry snapshots"),
}


class LookupForm(QueryForm):
    """One search box: the kind of identifier is recognised from what is typed."""

    q = StringField("Customer id, email, phone or source key", validators=[Length(max=320)])


class AtForm(QueryForm):
    """The instant a page evaluates decisions at."""

    at = InstantField("Decisions as of")


class TraceForm(QueryForm):
    """Which decision to trace, and at which instant (and with what Concord had received by when)."""

    channel = SelectField("Channel", choices=[], validate_choice=False)
    purpose = SelectField("Purpose", choices=[], validate_choice=False)
    contact_point = SelectField("Contact point", choices=[], validate_choice=False)
    at = InstantField("At")
    known_at = InstantField("Known at")

    def offer(self, choices: customer_view.TraceChoices) -> None:
        """Fill the selects from the policy and the customer's contact points."""
        self.channel.choices = choices.channels
        self.purpose.choices = choices.purposes
        points = [point for values in choices.contact_points.values() for point in values]
        self.contact_point.choices = [("", "any (first allowed)"), *points]


@bp.route("/")
@login_required(Role.COMPLIANCE)
def index():
    """The compliance area starts at the customer lookup."""
    return redirect(url_for("compliance.customers"))


@bp.route("/customers")
@login_required(Role.COMPLIANCE)
def customers():
    """Find a customer; one match opens it, several (a shared phone) are listed to choose from."""
    form = LookupForm()
    found = None
    if form.q.data and form.validate():
        try:
            found = identity.find_customers(db_session(), query=form.q.data)
        except (InvalidInput, NotFound) as exc:
            form.fail(exc, "q")
        else:
            if len(found.customers) == 1:
                return redirect(url_for("compliance.customer", customer_id=found.customers[0].customer_id))
    status = 404 if form.q.errors and not found else 200
    return render_template("compliance/lookup.html", form=form, found=found), status


@bp.route("/customers/<customer_id>")
@login_required(Role.COMPLIANCE)
def customer(customer_id: str):
    """The unified customer: source records and why they merged, and every channel x purpose decision."""
    form = AtForm()
    at = form.at.instant if form.validate() else None
    overview = or_error_page(customer_view.customer_overview, db_session(), customer_id=customer_id, at=at)
    sections = sections_for(db_session(), overview.customer.id)
    status = 422 if form.errors else 200
    return render_template("compliance/customer.html", o=overview, form=form, sections=sections), status


@bp.route("/customers/<customer_id>/decision")
@login_required(Role.COMPLIANCE)
def trace(customer_id: str):
    """One decision with its trace, at any instant and as known at any instant."""
    form = TraceForm()
    view = None
    session = db_session()
    if form.validate() and form.channel.data and form.purpose.data:
        try:
            view = customer_view.decision_trace(
                session,
                customer=customer_id,
                channel=form.channel.data,
                purpose=form.purpose.data,
                contact_point=form.contact_point.data or None,
                at=form.at.instant,
                known_at=form.known_at.instant,
            )
        except NotFound as exc:
            http_error(exc)
        except InvalidInput as exc:
            form.fail(exc, "channel")
    choices = (
        view.choices if view else or_error_page(customer_view.trace_choices, session, customer=customer_id)
    )
    form.offer(choices)
    status = 422 if any(f.errors for f in form) else 200
    return render_template("compliance/trace.html", form=form, view=view, choices=choices), status


@bp.route("/customers/<customer_id>/history")
@login_required(Role.COMPLIANCE)
def history(customer_id: str):
    """Every fact about the customer in event-time order: captured vs received, source, method, evidence."""
    found = or_error_page(decisions.history, db_session(), customer=customer_id)
    kind = request.args.get("kind", "")
    entries = [e for e in found.entries if e.kind == kind] if kind in TIMELINE_KINDS else found.entries
    return render_template(
        "compliance/history.html", h=found, entries=entries, kind=kind, kinds=TIMELINE_KINDS
    )
