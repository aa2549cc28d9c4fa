"""Steward pages for a dataset: certify, deprecate, withdraw; confirm or reject classes; description and owners."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from api.context import db_session
from catalog import certification, curation, details
from catalog.classification import service as classification
from catalog.search import service as search_service
from core.errors import ConcordError
from core.roles import Role
from web.auth import login_required
from web.fields import InstantField, QueryForm, or_error_page, put_error

bp = Blueprint("steward", __name__, url_prefix="/steward")
OWNER_ROLES = ["owner", "steward", "technical_owner", "business_owner"]


class FindForm(QueryForm):
    """Which dataset to steward."""

    q = StringField("Find a dataset to steward", validators=[Length(max=500)])


class CertifyForm(FlaskForm):
    """Certify until an expiry date, saying what was checked."""

    note = TextAreaField(
        "What was checked", validators=[DataRequired("say what you checked"), Length(max=4000)]
    )
    expires_at = InstantField("Valid until (empty: a year)")


class DeprecateForm(FlaskForm):
    """Deprecate, pointing to the dataset to use instead."""

    note = TextAreaField("Why it is deprecated", validators=[DataRequired("say why"), Length(max=4000)])
    replacement_id = StringField(
        "Use instead (dataset id, e.g. ds_…)", validators=[Optional(), Length(max=40)]
    )


class DraftForm(FlaskForm):
    """Withdraw a certification or deprecation."""

    note = TextAreaField("Note", validators=[Length(max=4000)])


class DescribeForm(FlaskForm):
    """The dataset's display name and description (a steward's text is never overwritten by scans)."""

    display_name = StringField("Display name", validators=[Length(max=300)])
    description = TextAreaField("Description", validators=[Length(max=20_000)], render_kw={"rows": 5})


class OwnerForm(FlaskForm):
    """A person or team to add as an owner in a role."""

    owner = StringField("Owner (user:name or team:name)", validators=[DataRequired("name an owner")])
    role = SelectField("Role", choices=OWNER_ROLES)


class RemoveOwnerForm(FlaskForm):
    """An owner to remove."""

    owner = HiddenField(validators=[DataRequired()])
    role = HiddenField(validators=[DataRequired()])


class ClassForm(FlaskForm):
    """Confirm or reject a class on a column."""

    column = HiddenField(validators=[DataRequired()])
    pii_class = HiddenField(validators=[DataRequired()])
    decision = HiddenField(validators=[DataRequired()])
    note = StringField("Note", validators=[Length(max=500)])


FORMS = {
    "certify": CertifyForm,
    "deprecate": DeprecateForm,
    "draft": DraftForm,
    "describe": DescribeForm,
    "owner": OwnerForm,
}


@bp.route("")
@login_required(Role.STEWARD)
def index():
    """Find a dataset to steward; certified and deprecated ones are marked."""
    form = FindForm()
    results = None
    if form.validate():
        results = search_service.search(db_session(), q=form.q.data or "", limit=50, with_facets=False)
    return render_template("steward/index.html", form=form, results=results)


def _page(dataset_id: str, status: int = 200, **forms: FlaskForm):
    """The steward page of a dataset, with any submitted form (and its errors) in place of a fresh one."""
    detail = or_error_page(details.dataset_detail, db_session(), dataset_id=dataset_id, show_pii=False)
    history = certification.certification_history(db_session(), subject_id=dataset_id)
    built = {name: forms.get(name) or cls(formdata=None) for name, cls in FORMS.items()}
    if "describe" not in forms:
        built["describe"].display_name.data = detail.dataset.display_name or ""
        built["describe"].description.data = detail.dataset.description or ""
    return render_template("steward/dataset.html", d=detail, history=history, **built), status


@bp.route("/datasets/<dataset_id>")
@login_required(Role.STEWARD)
def dataset(dataset_id: str):
    """Everything a steward changes about one dataset, on one page."""
    return _page(dataset_id)


def _submit(dataset_id: str, name: str, form: FlaskForm, call, done: str):
    """Validate `form`, run `call()`; a service error goes next to its field and the typed text stays."""
    if form.validate_on_submit():
        try:
            call()
        except ConcordError as exc:
            put_error(form, exc)
        else:
            flash(done)
            return redirect(url_for("steward.dataset", dataset_id=dataset_id))
    return _page(dataset_id, 422, **{name: form})


@bp.route("/datasets/<dataset_id>/certify", methods=["POST"])
@login_required(Role.STEWARD)
def certify(dataset_id: str):
    """Certify the dataset (audited)."""
    form = CertifyForm()
    return _submit(
        dataset_id,
        "certify",
        form,
        lambda: certification.certify(
            db_session(),
            dataset_id=dataset_id,
            note=form.note.data,
            expires_at=form.expires_at.instant,
            actor=g.user.actor,
        ),
        "Certified.",
    )


@bp.route("/datasets/<dataset_id>/deprecate", methods=["POST"])
@login_required(Role.STEWARD)
def deprecate(dataset_id: str):
    """Deprecate the dataset, optionally pointing to its replacement (audited)."""
    form = DeprecateForm()
    return _submit(
        dataset_id,
        "deprecate",
        form,
        lambda: certification.deprecate(
            db_session(),
            dataset_id=dataset_id,
            note=form.note.data,
            replacement_id=(form.replacement_id.data or "").strip() or None,
            actor=g.user.actor,
        ),
        "Deprecated.",
    )


@bp.route("/datasets/<dataset_id>/draft", methods=["POST"])
@login_required(Role.STEWARD)
def draft(dataset_id: str):
    """Withdraw the certification or deprecation (audited)."""
    form = DraftForm()
    return _submit(
        dataset_id,
        "draft",
        form,
        lambda: certification.revert_to_draft(
            db_session(), dataset_id=dataset_id, note=form.note.data, actor=g.user.actor
        ),
        "Back to draft.",
    )


@bp.route("/datasets/<dataset_id>/describe", methods=["POST"])
@login_required(Role.STEWARD)
def describe(dataset_id: str):
    """Change the display name and description (audited)."""
    form = DescribeForm()
    return _submit(
        dataset_id,
        "describe",
        form,
        lambda: curation.update_dataset(
            db_session(),
            dataset_id=dataset_id,
            description=form.description.data or "",
            display_name=form.display_name.data or "",
            actor=g.user.actor,
        ),
        "Description saved.",
    )


@bp.route("/datasets/<dataset_id>/owners", methods=["POST"])
@login_required(Role.STEWARD)
def add_owner(dataset_id: str):
    """Add an owner (audited)."""
    form = OwnerForm()
    return _submit(
        dataset_id,
        "owner",
        form,
        lambda: curation.add_owner(
            db_session(),
            dataset_id=dataset_id,
            owner=form.owner.data,
            role=form.role.data,
            actor=g.user.actor,
        ),
        "Owner added.",
    )


@bp.route("/datasets/<dataset_id>/owners/remove", methods=["POST"])
@login_required(Role.STEWARD)
def remove_owner(dataset_id: str):
    """Remove an owner (audited)."""
    form = RemoveOwnerForm()
    if form.validate_on_submit():
        or_error_page(
            curation.remove_owner,
            db_session(),
            dataset_id=dataset_id,
            owner=form.owner.data,
            role=form.role.data,
            actor=g.user.actor,
        )
        flash(f"{form.owner.data} ({form.role.data}) removed.")
    else:
        flash("The form expired; reload the page and try again.")
    return redirect(url_for("steward.dataset", dataset_id=dataset_id))


@bp.route("/datasets/<dataset_id>/classes", methods=["POST"])
@login_required(Role.STEWARD)
def decide_class(dataset_id: str):
    """Confirm or reject a class on a column (audited; a rejected class is never suggested there again)."""
    form = ClassForm()
    if form.validate_on_submit():
        found = or_error_page(
            classification.decide,
            db_session(),
            dataset_id=dataset_id,
            column=form.column.data,
            pii_class=form.pii_class.data,
            decision=form.decision.data,
            note=(form.note.data or "").strip() or None,
            actor=g.user.actor,
        )
        flash(f"{found.pii_class} on {found.column}: {found.status}.")
    else:
        flash("The form expired; reload the page and try again.")
    return redirect(url_for("steward.dataset", dataset_id=dataset_id, _anchor="classes"))
