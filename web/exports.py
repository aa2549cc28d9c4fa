"""Marketing pages: upload a segment, pick channel and purpose, watch progress, counts by reason, download.

Also adds the "Exports that included this customer" section to the compliance customer page.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, g, redirect, render_template, request, stream_with_context, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from api.context import db_session
from api.exports import run_or_start, submit
from consent import export_reads, exports
from consent.policies import active_policy
from consent.segments import KINDS
from core.errors import ConcordError
from core.roles import Role
from web.auth import login_required
from web.charts import Bar, bar_chart
from web.customer_sections import CUSTOMER_SECTIONS, CustomerSection
from web.fields import or_error_page

bp = Blueprint("exports", __name__, url_prefix="/marketing/exports")
log = logging.getLogger(__name__)
OK, BAD, NEUTRAL = "#16a34a", "#dc2626", "#64748b"


class SegmentForm(FlaskForm):
    """A segment file and what it is for."""

    file = FileField("Segment file (CSV, JSON Lines or JSON list)")
    channel = SelectField("Channel", choices=[], validate_choice=False)
    purpose = SelectField("Purpose", choices=[], validate_choice=False)
    jurisdiction = StringField(
        "Only these jurisdictions (optional)",
        validators=[Length(max=200)],
        render_kw={"placeholder": "DE, GB, US"},
    )
    campaign = StringField("Campaign", validators=[Length(max=200)])
    column = StringField("Subject column (when the file has several)", validators=[Length(max=40)])
    kind = SelectField(
        "Kind of subjects in a generic column",
        choices=[SelectChoice("", "recognise"), *(SelectChoice(k, k) for k in KINDS)],
    )


def _choices(form: SegmentForm) -> None:
    policy = active_policy(db_session())
    form.channel.choices = list(policy.channels)
    form.purpose.choices = list(policy.purposes)
    if not form.is_submitted():
        form.channel.data = form.channel.data or "email"
        form.purpose.data = form.purpose.data or "marketing"


@bp.route("", methods=["GET", "POST"])
@login_required(Role.MARKETING)
def index():
    """The upload form and past exports; a refused file shows why next to the field and keeps the choices."""
    form = SegmentForm()
    _choices(form)
    if form.validate_on_submit():
        started = _submit(form)
        if started is not None:
            return redirect(url_for("exports.show", export_id=started))
    past = exports.list_exports(db_session(), limit=50)
    status = 422 if form.is_submitted() and _has_errors(form) else 200
    if status == 422:
        # Says in the service log why a person's upload was refused, for when they ask support.
        log.info("segment upload refused: %s", {f.name: f.errors for f in form if f.errors})
    return render_template("exports/index.html", form=form, past=past), status


def _has_errors(form: SegmentForm) -> bool:
    return bool(form.errors) or any(f.errors for f in form)


def _submit(form: SegmentForm) -> str | None:
    upload = form.file.data
    if not upload or not getattr(upload, "filename", ""):
        form.file.errors = ["choose a segment file to upload"]
        return None
    wanted = [j.strip() for j in (form.jurisdiction.data or "").replace(";", ",").split(",") if j.strip()]
    try:
        submitted = submit(
            upload.stream, upload.filename, g.user.actor, channel=form.channel.data, purpose=form.purpose.data,
            column=form.column.data or None, kind=form.kind.data or None, jurisdictions=wanted,
            campaign=form.campaign.data or "",
        )  # fmt: skip
    except ConcordError as exc:
        target = {"channel": form.channel, "purpose": form.purpose, "column": form.column, "kind": form.kind,
                  "campaign": form.campaign}.get(exc.field or "")  # fmt: skip
        if target is None and (exc.field or "").startswith("jurisdiction"):
            target = form.jurisdiction
        (target or form.file).errors = [exc.message]
        return None
    # A failed run is not the form's fault: it shows the error page, and the export lists as failed.
    run_or_start(submitted, g.user.actor)
    return submitted.id


@bp.route("/<export_id>")
@login_required(Role.MARKETING)
def show(export_id: str):
    """Progress while it runs (the page refreshes itself), then counts by reason as a chart and downloads."""
    export = or_error_page(exports.get_export, db_session(), export_id=export_id)
    return render_template("exports/show.html", e=export, chart=_reason_chart(export))


def _reason_chart(export: exports.ExportInfo):
    if export.state != exports.DONE:
        return None
    bars = [Bar(f"✔ {r}", n, OK) for r, n in sorted(export.included.items(), key=lambda kv: -kv[1])]
    bars += [
        Bar(f"✖ {r}", n, NEUTRAL if r in ("duplicate", "same_customer") else BAD)
        for r, n in sorted(export.excluded.items(), key=lambda kv: -kv[1])
    ]
    return bar_chart(bars, title=f"Rows of export {export.id} by reason", label_width=230, width=860)


@bp.route("/<export_id>/download")
@login_required(Role.MARKETING)
def download(export_id: str):
    """The compliant list (or `?report=1`, the exclusion report) as CSV or JSON Lines, streamed."""
    fmt = request.args.get("format", "csv")
    report = request.args.get("report") == "1"
    blocks = or_error_page(
        export_reads.open_download, db_session(), export_id=export_id, fmt=fmt, report=report
    )
    name = f"{export_id}-{'exclusions' if report else 'compliant'}.{fmt}"
    response = Response(
        stream_with_context(blocks), mimetype="text/csv" if fmt == "csv" else "application/x-ndjson"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _customer_exports(session, customer_id: str):
    """The exports that resolved this customer, for the compliance customer page."""
    found = export_reads.exports_for_customer(session, customer_id=customer_id)
    return {"memberships": found}


CUSTOMER_SECTIONS.append(
    CustomerSection(
        "exports", "Exports that included this customer", "exports/_customer.html", _customer_exports
    )
)
