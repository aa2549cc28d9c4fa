"""Customers (360 and lookup), source-record ingestion, crosswalk import, match explanations, report."""

from __future__ import annotations

from flask import jsonify, request
from flask_smorest import Blueprint
from marshmallow import ValidationError

from api.auth import current_actor, current_principal, require_roles
from api.context import db_session
from api.errors import _first_validation_error
from api.schemas.identity import (
    CrosswalkIn,
    CrosswalkOut,
    CustomerOut,
    ExplainOut,
    ExplainQuery,
    IdentityReportOut,
    LookupOut,
    LookupQuery,
    MaskedCustomerOut,
    SourceRecordsIn,
    UpsertOut,
)
from core.errors import BadRequest, InvalidInput
from core.roles import PII_ROLES, Role, allows
from identity import quality, service
from identity.service import SourceRecordIn

blp = Blueprint("identity", __name__, url_prefix="/api/v1", description="Customers, source records, matching")

CSV_TYPES = {"text/csv", "text/plain", "application/csv"}
CROSSWALK_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": CrosswalkIn},
        "text/csv": {
            "schema": {"type": "string", "description": "header: source_system,source_key,customer_id"}
        },
    },
}


@blp.route("/customers/<customer_id>")
@blp.response(200, CustomerOut)
@require_roles(Role.COMPLIANCE, Role.ANALYST)
def customer(customer_id: str):
    """The customer 360 (any id ever issued resolves to its survivor); analysts get masked personal data."""
    found = service.get_customer(db_session(), customer_id=customer_id)
    if allows(current_principal().role, PII_ROLES):
        return found
    return jsonify(MaskedCustomerOut().dump(found))


@blp.route("/customers")
@blp.arguments(LookupQuery, location="query")
@blp.response(200, LookupOut)
@require_roles(Role.COMPLIANCE)
def lookup(query):
    """Customers holding one identifier: `email`, `phone`, `source_key` (system:key) or `customer_id`."""
    given = {k: v for k, v in query.items() if k != "region"}
    customers = service.resolve(db_session(), region=query["region"], **given)
    kind, value = next(iter(given.items()))
    return {"kind": kind, "value": value, "customers": customers}


@blp.route("/identity/source-records", methods=["POST"])
@blp.arguments(SourceRecordsIn)
@blp.response(201, UpsertOut)
@require_roles(Role.INGEST)
def ingest_source_records(body):
    """Upsert a batch of source records (all-or-nothing, idempotent) and match them into customers."""
    records = [
        SourceRecordIn(**{k: tuple(v) if k in ("emails", "phones") else v for k, v in item.items()})
        for item in body["records"]
    ]
    result = service.upsert_source_records(db_session(), records=records, actor=current_actor())
    customers = [{"source_system": s, "source_key": k, "customer_id": c} for (s, k), c in result.keys.items()]
    return {**result.__dict__, "customers": customers}


@blp.route("/identity/crosswalk", methods=["POST"])
@blp.doc(requestBody=CROSSWALK_BODY)
@blp.response(200, CrosswalkOut)
@require_roles(Role.ADMIN)
def crosswalk():
    """Import an external crosswalk (MDM output) as JSON `{"rows": [...]}` or CSV; all-or-nothing."""
    return service.import_crosswalk(db_session(), rows=_crosswalk_rows(), actor=current_actor())


def _crosswalk_rows() -> list[tuple[str, str, str]]:
    if request.mimetype in CSV_TYPES:
        return service.parse_crosswalk_csv(request.get_data(as_text=True))
    body = request.get_json(silent=True)
    if body is None:
        raise BadRequest('send JSON {"rows": [...]} or a text/csv body', field="body")
    try:
        loaded = CrosswalkIn().load(body)
    except ValidationError as exc:
        field, message = _first_validation_error(exc.messages)
        raise InvalidInput(message, field=field) from None
    return [(r["source_system"], r["source_key"], r["customer_id"]) for r in loaded["rows"]]


@blp.route("/identity/explain")
@blp.arguments(ExplainQuery, location="query")
@blp.response(200, ExplainOut)
@require_roles(Role.COMPLIANCE)
def explain(query):
    """Why two source records are one customer: the chain of match links (rule and shared value)."""
    return service.explain(db_session(), a=query["a"], b=query["b"])


@blp.route("/identity/report")
@blp.response(200, IdentityReportOut)
@require_roles(Role.COMPLIANCE, Role.ANALYST)
def report():
    """Counts only: customers, source records per system, duplicates merged, links per rule."""
    return quality.report(db_session())
