"""Policy pages: versions, a version's YAML, diffs, dry-runs (run in the background), upload and activation."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired

from api import background
from api.context import db_session, runtime
from consent import dry_runs, operations, policies, policy_diff
from core.errors import ConcordError, NotFound
from core.roles import Role
from web.auth import login_required
from web.charts import Bar, bar_chart
from web.fields import QueryForm, or_error_page

bp = Blueprint("policies", __name__, url_prefix="/compliance/policies")


class UploadForm(FlaskForm):
    """A new policy version: the YAML typed or pasted, or a file."""

    text = TextAreaField("Policy YAML", render_kw={"rows": 28, "spellcheck": "false"})
    file = FileField("…or upload a .yaml file")


class ActivateForm(FlaskForm):
    """Activation re-evaluates every decision, so it asks for a tick first."""

    confirm = BooleanField(
        "Re-evaluate every decision under this version now",
        validators=[DataRequired("tick the box to confirm: activation re-evaluates every decision")],
    )


class DiffForm(QueryForm):
    """Two versions to compare."""

    old = SelectField("From", choices=[], validate_choice=False)
    new = SelectField("To", choices=[], validate_choice=False)


@bp.route("")
@login_required(Role.COMPLIANCE)
def index():
    """Every version, the active one marked, and a form to compare two."""
    versions = policies.list_versions(db_session())
    form = DiffForm()
    form.old.choices = form.new.choices = [v.version for v in versions]
    return render_template("policies/index.html", versions=versions, form=form)


@bp.route("/versions/<version>")
@login_required(Role.COMPLIANCE)
def show(version: str):
    """One version's YAML with line numbers, its dry-runs, and activation."""
    return _show(version, ActivateForm())


def _show(version: str, activate_form: ActivateForm, status: int = 200):
    session = db_session()
    found = or_error_page(policies.get_version, session, version=version)
    runs = dry_runs.list_dry_runs(session, version=version)
    lines = (found.text or "").splitlines()
    return (
        render_template("policies/show.html", v=found, lines=lines, runs=runs, activate_form=activate_form),
        status,
    )


@bp.route("/diff")
@login_required(Role.COMPLIANCE)
def diff():
    """Side-by-side differences between two versions."""
    form = DiffForm()
    versions = policies.list_versions(db_session())
    form.old.choices = form.new.choices = [v.version for v in versions]
    if form.new.data and not form.old.data:
        form.old.data = next((v.version for v in versions if v.active), None)
    result = None
    if form.old.data and form.new.data:
        try:
            result = policy_diff.diff_versions(db_session(), old=form.old.data, new=form.new.data)
        except NotFound as exc:
            form.fail(exc, "old")
    return render_template("policies/diff.html", form=form, diff=result), 404 if form.errors else 200


@bp.route("/new", methods=["GET", "POST"])
@login_required(Role.COMPLIANCE)
def upload():
    """Upload a new version (stored inactive); a broken one shows its line and field and keeps the text."""
    form = UploadForm()
    session = db_session()
    error_line = None
    if form.is_submitted() and form.validate():
        text = _text(form)
        if text is not None:
            try:
                stored = policies.upload_policy(session, text=text, actor=g.user.actor)
            except ConcordError as exc:
                form.text.errors = [exc.message]
                error_line = exc.details.get("line")
            else:
                flash(f"Policy {stored.version} stored (inactive). Dry-run it before you activate it.")
                return redirect(url_for("policies.show", version=stored.version))
    elif not form.is_submitted():
        form.text.data = _starting_text(session)
    lines = (form.text.data or "").splitlines()
    status = 422 if form.errors or form.text.errors else 200
    return render_template("policies/upload.html", form=form, error_line=error_line, lines=lines), status


def _starting_text(session) -> str:
    """The text a new version starts from: `?from=` a version, else the active one."""
    version = request.args.get("from") or next(
        (v.version for v in policies.list_versions(session) if v.active), None
    )
    if not version:
        return ""
    try:
        found = policies.get_version(session, version=version)
    except NotFound:
        return ""
    return found.text or ""


def _text(form: UploadForm) -> str | None:
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            form.file.errors = ["the file is not UTF-8 text; save it as UTF-8 and upload it again"]
            return None
        form.text.data = text
        return text
    return form.text.data or ""


@bp.route("/versions/<version>/activate", methods=["POST"])
@login_required(Role.COMPLIANCE)
def activate(version: str):
    """Make the version active and re-evaluate every decision under it (audited by the service)."""
    form = ActivateForm()
    if not form.validate_on_submit():
        return _show(version, form, 422)
    previous, stats = or_error_page(
        operations.activate, db_session(), version=version, actor=g.user.actor, emitter=runtime().emitter
    )
    flash(
        f"Policy {version} is active (was {previous or 'the built-in reference'}): "
        f"{stats.decisions:,} decisions for {stats.customers:,} customers re-evaluated."
    )
    return redirect(url_for("policies.show", version=version))


@bp.route("/versions/<version>/dry-runs", methods=["POST"])
@login_required(Role.COMPLIANCE)
def start_dry_run(version: str):
    """Start a dry-run in the background and show its progress."""
    if not FlaskForm().validate_on_submit():
        flash("The form expired; reload the page and start the dry-run again.")
        return redirect(url_for("policies.show", version=version))
    run = or_error_page(dry_runs.start_dry_run, db_session(), version=version, actor=g.user.actor)
    background.start(f"dry-run-{run.id}", dry_runs.execute_dry_run, db=runtime().db, run_id=run.id)
    return redirect(url_for("policies.dry_run", run_id=run.id))


@bp.route("/dry-runs/<run_id>")
@login_required(Role.COMPLIANCE)
def dry_run(run_id: str):
    """A dry-run's progress (the page refreshes itself while it runs) or its result as a chart and a sample."""
    run = or_error_page(dry_runs.get_dry_run, db_session(), run_id=run_id)
    return render_template("policies/dry_run.html", run=run, chart=_transition_chart(run))


def state_label(state: dry_runs.State) -> str:
    """`✔ explicit_opt_in`, `✖ no_consent`, or `no decision`."""
    if state is None:
        return "no decision"
    return f"{'✔' if state[0] else '✖'} {state[1]}"


def _transition_chart(run: dry_runs.DryRunInfo):
    if run.state != dry_runs.DONE:
        return None
    bars = []
    for t in run.transitions[:15]:
        was, will = bool(t.before and t.before[0]), bool(t.after and t.after[0])
        colour = "#dc2626" if was and not will else ("#16a34a" if will and not was else "#64748b")
        bars.append(Bar(f"{state_label(t.before)} → {state_label(t.after)}", t.count, colour))
    return bar_chart(
        bars, title=f"Decisions that would change under {run.version}", label_width=330, width=1100
    )
