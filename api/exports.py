"""Segment exports: upload a segment, follow its progress, download the compliant list, re-check, audit by customer."""

from __future__ import annotations

import logging
from dataclasses import asdict

from flask import Response, request, stream_with_context
from flask_smorest import Blueprint

from api import background
from api.auth import current_actor, require_roles
from api.context import close_session, db_session, runtime
from api.schemas.exports import (
    ConsentLineageOut,
    DownloadQuery,
    ExportOut,
    ListQuery,
    MembershipOut,
    RecheckOut,
    RecheckQuery,
    SubmitQuery,
)
from consent import consent_lineage, export_job, export_reads, exports
from core.audit import Actor
from core.errors import BadRequest
from core.roles import Role

log = logging.getLogger(__name__)

blp = Blueprint(
    "api_exports", __name__, url_prefix="/api/v1/exports", description="Compliant segment exports"
)

UPLOAD_BODY = {
    "required": True,
    "description": (
        "The segment: a CSV file (header row; a column customer_id, source_key, email or phone, a generic "
        "subject column with `kind`, or `kind` and `value` columns), JSON Lines (one object or string per line) "
        "or a JSON list, as the raw body or as the multipart field `file`. Streamed to disk, up to "
        "CONCORD_MAX_UPLOAD_BYTES and 5,000,000 rows."
    ),
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/x-ndjson": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "array", "items": {"type": "string"}}},
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
    },
}
STREAM_RESPONSES = {
    200: {
        "description": "Streamed file",
        "content": {"text/csv": {}, "application/x-ndjson": {}},
    }
}


def submit(stream, filename: str, actor: Actor, **options) -> exports.ExportInfo:
    """Record the export (InvalidInput names a refused field); `options` are `exports.submit_export`'s.

    The API and the marketing page both submit through here, then call `run_or_start`.
    """
    # The request's own write session (opened to authenticate) would hold SQLite's write lock for the
    # whole upload: end it, the export's services open short sessions of their own.
    db_session().commit()
    close_session()
    return exports.submit_export(runtime().db, source=stream, filename=filename, actor=actor, **options)


def run_or_start(submitted: exports.ExportInfo, actor: Actor) -> tuple[exports.ExportInfo, int]:
    """Run a small export inline (201) or start it in the background (202); a failed run raises."""
    rt = runtime()
    if submitted.rows_total <= rt.settings.export_inline_rows:
        return export_job.run_export(rt.db, export_id=submitted.id, actor=actor, emitter=rt.emitter), 201
    background.start(
        f"export-{submitted.id}", export_job.run_export, db=rt.db, export_id=submitted.id, actor=actor,
        emitter=rt.emitter,
    )  # fmt: skip
    return submitted, 202


@blp.route("", methods=["POST"])
@blp.arguments(SubmitQuery, location="query")
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(201, ExportOut, description="Done inline (small segments)")
@blp.alt_response(202, schema=ExportOut, description="Queued: follow GET /api/v1/exports/{id}")
@require_roles(Role.MARKETING)
def post_export(query):
    """Submit a segment for a channel and purpose; bad files are refused with nothing recorded."""
    request.max_content_length = runtime().settings.max_upload_bytes
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest("send the segment as the multipart field `file`", field="file")
        stream, filename = upload.stream, upload.filename or query["name"]
    else:
        stream, filename = request.stream, query["name"]
    if not filename and query["format"] is None:
        filename = {"text/csv": "segment.csv", "application/x-ndjson": "segment.jsonl",
                    "application/json": "segment.json"}.get(request.mimetype, "")  # fmt: skip
    actor = current_actor()
    submitted = submit(
        stream, filename, actor, channel=query["channel"], purpose=query["purpose"], fmt=query["format"],
        column=query["column"], kind=query["kind"], jurisdictions=query["jurisdiction"], campaign=query["campaign"],
    )  # fmt: skip
    return run_or_start(submitted, actor)


@blp.route("")
@blp.arguments(ListQuery, location="query")
@blp.response(200, ExportOut(many=True))
@require_roles(Role.MARKETING, Role.COMPLIANCE)
def list_exports(query):
    """The newest exports first."""
    return exports.list_exports(db_session(), limit=query["limit"])


@blp.route("/<export_id>")
@blp.response(200, ExportOut)
@require_roles(Role.MARKETING, Role.COMPLIANCE)
def get_export(export_id):
    """One export: state, progress (rows done / total), counts per reason, checksum, retention."""
    return exports.get_export(db_session(), export_id=export_id)


def _stream(blocks, fmt: str, name: str) -> Response:
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    response = Response(stream_with_context(blocks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@blp.route("/<export_id>/download")
@blp.arguments(DownloadQuery, location="query")
@blp.doc(responses=STREAM_RESPONSES)
@require_roles(Role.MARKETING)
def download(query, export_id):
    """The compliant list (customer_id, contact_point, reason), streamed as CSV or JSON Lines."""
    blocks = export_reads.open_download(db_session(), export_id=export_id, fmt=query["format"])
    return _stream(blocks, query["format"], f"{export_id}-compliant")


@blp.route("/<export_id>/exclusions")
@blp.arguments(DownloadQuery, location="query")
@blp.doc(responses=STREAM_RESPONSES)
@require_roles(Role.MARKETING)
def exclusions(query, export_id):
    """The exclusion report (row, kind, subject, reason, customer_id), streamed as CSV or JSON Lines."""
    blocks = export_reads.open_download(db_session(), export_id=export_id, fmt=query["format"], report=True)
    return _stream(blocks, query["format"], f"{export_id}-exclusions")


@blp.route("/<export_id>/recheck")
@blp.arguments(RecheckQuery, location="query")
@blp.response(200, RecheckOut)
@require_roles(Role.MARKETING)
def recheck(query, export_id):
    """The export's customers who may no longer be contacted now (or at `at`): suppress late opt-outs."""
    return export_reads.recheck(db_session(), export_id=export_id, at=query["at"])


@blp.route("/customers/<customer_id>")
@blp.response(200, MembershipOut(many=True))
@require_roles(Role.COMPLIANCE)
def by_customer(customer_id):
    """Which exports resolved the customer, when, on which contact point and on what consent basis."""
    return export_reads.exports_for_customer(db_session(), customer_id=customer_id)


@blp.route("/customers/<customer_id>/lineage")
@blp.response(200, ConsentLineageOut)
@require_roles(Role.COMPLIANCE)
def lineage(customer_id):
    """Consent lineage: source systems -> consent records -> unified decisions (policy version) -> exports."""
    chain = consent_lineage.consent_lineage(db_session(), customer_id=customer_id)
    out = asdict(chain)
    out["records"] = [{**asdict(r), "node_id": r.node_id} for r in chain.records]
    out["decisions"] = [{**asdict(d), "node_id": d.node_id} for d in chain.decisions]
    out["exports"] = chain.exports
    out["edges"] = [{"origin": a, "destination": b} for a, b in chain.edges]
    return out
