"""Consent: event ingestion, decisions with their trace, eligibility checks (single and bulk), history."""

from __future__ import annotations

from dataclasses import asdict

import orjson
from flask import Response, request
from flask_smorest import Blueprint

from api.auth import current_actor, current_principal, require_roles
from api.context import db_session, runtime
from api.schemas.consent import (
    SUBJECT_KINDS,
    BulkIn,
    DecisionOut,
    DecisionQuery,
    EligibilityOut,
    EligibilityQuery,
    FeedQuery,
    HistoryOut,
    IngestOut,
    RebuildOut,
    StoredDecisionOut,
)
from consent import decisions, eligibility, feeds, ingest, operations
from consent.decision_reader import paused_gc
from core.clock import iso, parse_instant
from core.errors import BadRequest, Forbidden, InvalidInput
from core.roles import PII_ROLES, Role

blp = Blueprint(
    "consent", __name__, url_prefix="/api/v1/consent", description="Unified consent and do-not-contact"
)

EVENTS_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["events"],
                "properties": {
                    "events": {
                        "type": "array",
                        "items": {"type": "object"},
                        "description": (
                            "Each event has `type` (profile, contact_point, consent, relationship, gpc_signal, "
                            "dnc_registry_snapshot, dnc_request, suppression), `source`, and that type's fields "
                            "(see consent/README.md). All-or-nothing."
                        ),
                    }
                },
            }
        }
    },
}


def sees_everything() -> bool:
    """Compliance and admin see evidence, records and traces; marketing sees allowed, reason, contact point."""
    return current_principal().role in PII_ROLES


def json_body() -> object:
    """The request body parsed with orjson (fast for large batches); 400 when it is not JSON."""
    try:
        return orjson.loads(request.get_data(cache=False))
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}", field="body") from None


@blp.route("/events", methods=["POST"])
@blp.doc(requestBody=EVENTS_BODY)
@blp.response(201, IngestOut)
@require_roles(Role.INGEST)
def post_events():
    """Ingest a batch of events from a source system: all-or-nothing, idempotent on (source, id)."""
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise InvalidInput('send {"events": [...]}', field="events")
    if not body["events"]:
        raise InvalidInput("events is empty; send at least one event", field="events")
    result = ingest.ingest_events_retrying(
        db_session(), events=body["events"], actor=current_actor(), emitter=runtime().emitter
    )
    return _ingest_out(result)


def _ingest_out(result) -> dict:
    out = asdict(result)
    out["stored"] = {k: v for k, v in result.stored.items() if v}
    out["duplicates"] = {k: v for k, v in result.duplicates.items() if v}
    return out


@blp.route("/feeds", methods=["POST"])
@blp.arguments(FeedQuery, location="query")
@blp.doc(requestBody={"required": True, "content": {"text/csv": {}, "application/x-ndjson": {}}})
@blp.response(201, IngestOut)
@require_roles(Role.INGEST)
def post_feed(query):
    """Upload a CSV or JSON Lines file of events: all-or-nothing, errors name the line."""
    request.max_content_length = runtime().settings.max_upload_bytes
    feed = feeds.parse_feed(request.get_data(cache=False), fmt=query["format"], source=query["source"])
    session = db_session()
    result = ingest.retrying(
        session,
        lambda: feeds.ingest_feed(
            session, feed=feed, name=query["name"], actor=current_actor(), emitter=runtime().emitter
        ),
    )
    return _ingest_out(result)


@blp.route("/decision")
@blp.arguments(DecisionQuery, location="query")
@blp.response(200, DecisionOut)
@require_roles(Role.COMPLIANCE, Role.MARKETING)
def get_decision(query):
    """The decision for customer x channel x purpose (x contact point) now or `at`, with its full trace."""
    full = sees_everything()
    if query["known_at"] is not None and not full:
        raise Forbidden("known_at is for compliance audits", field="known_at")
    decision = decisions.decision_for(db_session(), **query)
    if not full:
        return {
            "allowed": decision.allowed,
            "reason": decision.reason,
            "contact_point": decision.contact_point,
        }
    return asdict(decision)


@blp.route("/eligibility")
@blp.doc(parameters=[{"in": "query", "schema": EligibilityQuery}])
@blp.response(200, EligibilityOut)
@require_roles(Role.MARKETING, Role.COMPLIANCE)
def get_eligibility():
    """Is this subject (customer id, email, phone or system:key) eligible for channel and purpose?"""
    # The hottest endpoint: query parsed by hand and the answer written with orjson (documented above).
    args = request.args
    given = [k for k in SUBJECT_KINDS if args.get(k)]
    if len(given) != 1:
        raise InvalidInput("give exactly one of customer, email, phone or source_key", field="customer")
    kind = given[0]
    answer = eligibility.check(
        db_session(),
        kind=kind,
        value=args[kind],
        channel=_arg(args, "channel"),
        purpose=_arg(args, "purpose"),
        contact_point=args.get("contact_point") or None,
        at=_instant(args.get("at")),
    )
    return Response(orjson.dumps(_eligibility_out(answer, sees_everything())), mimetype="application/json")


def _arg(args, name: str) -> str:
    value = args.get(name, "").strip()
    if not value or len(value) > 80:
        raise InvalidInput(f"{name} is required (at most 80 characters)", field=name)
    return value


def _eligibility_out(answer: eligibility.Eligibility, full: bool) -> dict:
    out = {"allowed": answer.allowed, "reason": answer.reason, "contact_point": answer.contact_point}
    if full:
        by = None
        if answer.decided_by_id is not None:
            by = {
                "kind": answer.decided_by_kind,
                "id": answer.decided_by_id,
                "source": answer.decided_by_source,
            }
        out.update(
            customer_id=answer.customer_id,
            policy_version=answer.policy_version,
            as_of=answer.as_of,
            valid_until=answer.valid_until,
            decided_by=by,
            basis=answer.basis,
        )
    return out


@blp.route("/eligibility/bulk", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": BulkIn}}})
@blp.response(200, description="results in the order of `subjects`, with allowed/denied counts")
@require_roles(Role.MARKETING, Role.COMPLIANCE)
def post_bulk_eligibility():
    """Check up to 100,000 subjects for one channel and purpose (parsed with orjson, read in chunks)."""
    with paused_gc():  # 100,000s of short-lived tuples and dicts: skip the collector's full-heap scans
        return _bulk_eligibility()


def _bulk_eligibility() -> Response:
    body = json_body()
    if not isinstance(body, dict):
        raise InvalidInput('send {"channel", "purpose", "subjects": [...]}', field="body")
    channel, purpose = _required_text(body, "channel"), _required_text(body, "purpose")
    at = _instant(body.get("at"))
    subjects = _subjects(body)
    # A read-only session: this POST writes nothing, so it must not hold SQLite's write lock.
    with runtime().db.session() as session:
        answers = eligibility.check_many(session, subjects=subjects, channel=channel, purpose=purpose, at=at)
    return _bulk_response(channel, purpose, at, subjects, answers)


def _bulk_response(channel, purpose, at, subjects, answers) -> Response:
    full = sees_everything()
    results = []
    for (kind, value), a in zip(subjects, answers, strict=True):
        item = {
            "subject": value,
            "kind": kind,
            "allowed": a.allowed,
            "reason": a.reason,
            "contact_point": a.contact_point,
        }
        if full:
            item["customer_id"] = a.customer_id
        results.append(item)
    allowed = sum(1 for a in answers if a.allowed)
    payload = {
        "channel": channel,
        "purpose": purpose,
        "at": iso(at),
        "count": len(answers),
        "allowed": allowed,
        "denied": len(answers) - allowed,
        "results": results,
    }
    return Response(orjson.dumps(payload), status=200, mimetype="application/json")


def _required_text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} is required", field=name)
    return value.strip()


def _instant(value):
    if value is None or value == "":
        return None
    try:
        return parse_instant(str(value))
    except ValueError:
        raise InvalidInput(f"{value!r} is not an ISO 8601 instant", field="at") from None


def _subjects(body: dict) -> list[tuple[str, str]]:
    raw = body.get("subjects")
    if not isinstance(raw, list):
        raise InvalidInput("subjects must be a list", field="subjects")
    eligibility.check_limit(len(raw), body.get("at") is not None)
    kind = body.get("kind")
    if kind is not None:
        if kind not in SUBJECT_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(SUBJECT_KINDS)}", field="kind")
        bad = next((i for i, v in enumerate(raw) if not isinstance(v, str) or not v), None)
        if bad is not None:
            raise InvalidInput(f"subjects[{bad}] must be a non-empty string", field=f"subjects[{bad}]")
        return [(kind, v) for v in raw]
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or len(item) != 1:
            raise InvalidInput(
                f'subjects[{i}] must be one of {{"customer"|"email"|"phone"|"source_key": value}}',
                field=f"subjects[{i}]",
            )
        ((k, v),) = item.items()
        if k not in SUBJECT_KINDS or not isinstance(v, str) or not v:
            raise InvalidInput(
                f"subjects[{i}]: use customer, email, phone or source_key with a text value",
                field=f"subjects[{i}]",
            )
        out.append((k, v))
    return out


@blp.route("/customers/<customer_id>/history")
@blp.response(200, HistoryOut)
@require_roles(Role.COMPLIANCE)
def customer_history(customer_id: str):
    """Every consent fact about the customer (records, evidence, suppressions, DNC, GPC, relationships)."""
    return decisions.history(db_session(), customer=customer_id)


@blp.route("/customers/<customer_id>/decisions")
@blp.response(200, StoredDecisionOut(many=True))
@require_roles(Role.COMPLIANCE)
def customer_decisions(customer_id: str):
    """The customer's unified decisions as stored (GET /decision gives the trace of each)."""
    return decisions.stored_decisions(db_session(), customer=customer_id)


@blp.route("/rebuild", methods=["POST"])
@blp.response(200, RebuildOut)
@require_roles(Role.ADMIN)
def rebuild():
    """Recompute every unified decision from the facts under the active policy."""
    stats = operations.rebuild(db_session(), actor=current_actor(), emitter=runtime().emitter)
    return {"customers": stats.customers, "decisions": stats.decisions}
