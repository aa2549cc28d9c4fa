"""Steward pages for source systems: register one by SQLAlchemy URL, scan it in the background, watch progress."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from api import background
from api.context import db_session, runtime
from catalog import scan_jobs, sources
from core.errors import ConcordError
from core.roles import Role
from web.auth import login_required
from web.fields import or_error_page, put_error
from web.steward import bp


class SourceForm(FlaskForm):
    """A source system to register."""

    name = StringField(
        "Name", validators=[DataRequired("give the source a short name, e.g. crm"), Length(max=100)]
    )
    url = StringField(
        "SQLAlchemy URL",
        validators=[DataRequired("give the database URL"), Length(max=2000)],
        render_kw={"placeholder": "sqlite:////data/crm.db or postgresql://reader@db:5432/crm"},
    )
    password_env = StringField("Password from environment variable", validators=[Optional(), Length(max=200)])
    owner = StringField("Owner (team:name or user:name)", validators=[Optional(), Length(max=200)])
    description = TextAreaField(
        "Description", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )


def _page(form: SourceForm, status: int = 200):
    session = db_session()
    return (
        render_template(
            "steward/sources.html",
            form=form,
            sources=sources.list_sources(session),
            jobs=scan_jobs.recent_scan_jobs(session),
        ),
        status,
    )


@bp.route("/sources", endpoint="sources")
@login_required(Role.STEWARD)
def sources_page():
    """Registered sources (passwords masked), a form to add one, recent scans."""
    return _page(SourceForm(formdata=None))


@bp.route("/sources", methods=["POST"])
@login_required(Role.STEWARD)
def register_source():
    """Register a source (audited); a bad URL or name shows next to its field with what was typed kept."""
    form = SourceForm()
    if form.validate_on_submit():
        try:
            found = sources.register_source(
                db_session(),
                name=form.name.data.strip(),
                url=form.url.data,
                password_env=(form.password_env.data or "").strip() or None,
                owner=(form.owner.data or "").strip() or None,
                description=(form.description.data or "").strip() or None,
                actor=g.user.actor,
            )
        except ConcordError as exc:
            put_error(form, exc)
        else:
            flash(f"Source {found.name} registered ({found.url}). Scan it to fill the catalogue.")
            return redirect(url_for("steward.sources"))
    return _page(form, 422)


@bp.route("/sources/<name>/scan", methods=["POST"])
@login_required(Role.STEWARD)
def scan(name: str):
    """Start a scan in the background and show its progress."""
    if not FlaskForm().validate_on_submit():
        flash("The form expired; reload the page and start the scan again.")
        return redirect(url_for("steward.sources"))
    job = or_error_page(scan_jobs.start_scan_job, db_session(), name=name, actor=g.user.actor)
    rt = runtime()
    background.start(
        f"scan-{job.id}",
        scan_jobs.execute_scan_job,
        db=rt.db,
        job_id=job.id,
        actor=g.user.actor,
        emitter=rt.emitter,
    )
    return redirect(url_for("steward.scan_job", job_id=job.id))


@bp.route("/scans/<job_id>")
@login_required(Role.STEWARD)
def scan_job(job_id: str):
    """A scan's progress (the page refreshes itself while it runs) or its outcome."""
    job = or_error_page(scan_jobs.get_scan_job, db_session(), job_id=job_id)
    return render_template("steward/scan.html", job=job)
