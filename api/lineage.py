"""OpenLineage endpoints: event ingestion (as Marquez, for existing clients), graph queries, impact, event log."""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

import lineage
from api.auth import current_actor, require_roles
from api.context import db_session, runtime
from api.schemas.lineage import (
    LineageBatchIn,
    LineageBatchOut,
    LineageColumnQuery,
    LineageEventsOut,
    LineageEventsQuery,
    LineageGraphOut,
    LineageGraphQuery,
    LineageImpactOut,
    LineageImpactQuery,
    LineageIngestOut,
    OpenLineageEventIn,
)
from core.errors import PayloadTooLarge
from core.roles import Role

blp = Blueprint(
    "lineage", __name__, url_prefix="/api/v1", description="OpenLineage ingestion and lineage graph"
)

READERS = (Role.ANALYST, Role.STEWARD, Role.COMPLIANCE)


def _json_body():
    """The decoded body; 413 with advice for oversized events, 400 for malformed JSON."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    advice = (
        f"the request is over the {limit:,}-byte limit (CONCORD_MAX_REQUEST_BYTES, after gunzip); "
        "leave out bulky facets such as spark.logicalPlan, send fewer events per batch, or raise the limit"
    )
    if limit and request.content_length and request.content_length > limit:
        raise PayloadTooLarge(advice, field="body")
    try:
        body = request.get_data(cache=False)
    except (RequestEntityTooLarge, PayloadTooLarge):
        raise PayloadTooLarge(advice, field="body") from None
    return lineage.parse_body(body)


def _derive_soon() -> None:
    # Unless a separate `concord lineage derive --follow` process does it (CONCORD_LINEAGE_DERIVE_IN_WEB).
    rt = runtime()
    if rt.settings.lineage_derive_in_web:
        lineage.derive_soon(rt.db)


@blp.route("/lineage", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": OpenLineageEventIn}}})
@blp.response(201, LineageIngestOut)
@require_roles(Role.INGEST)
def post_event():
    """Record one OpenLineage event (RunEvent, DatasetEvent or JobEvent), as Marquez's endpoint does.

    Accepts `Content-Encoding: gzip`. The same event sent twice is stored once (status `duplicate`).
    As in Marquez, the graph is derived right after the answer (usually within milliseconds).
    """
    parsed = lineage.parse_event(_json_body())
    result = lineage.ingest_event(db_session(), event=parsed, actor=current_actor(), defer=True)
    _derive_soon()
    return result


@blp.route("/lineage/batch", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": LineageBatchIn}}})
@blp.response(201, LineageBatchOut)
@blp.alt_response(207, schema=LineageBatchOut, description="some events were rejected (see `results`)")
@blp.alt_response(422, schema=LineageBatchOut, description="every event was rejected")
@require_roles(Role.INGEST)
def post_batch():
    """Record many events: `{"events": [...]}`; each is stored or rejected on its own (results per index)."""
    body = _json_body()
    events = body.get("events") if isinstance(body, dict) else None
    checked = lineage.check_batch(events)
    result = lineage.ingest_batch(db_session(), events=checked, actor=current_actor(), defer=True)
    _derive_soon()
    accepted = result.stored + result.duplicates
    return result, 201 if not result.rejected else (207 if accepted else 422)


@blp.route("/lineage")
@blp.arguments(LineageGraphQuery, location="query")
@blp.response(200, LineageGraphOut)
@require_roles(*READERS)
def get_lineage(query):
    """The graph around `nodeId` (`dataset:{ns}:{name}` or `job:{ns}:{name}`), now, `asOf` an instant, or for `runId`."""
    return lineage.lineage_graph(db_session(), **query)


@blp.route("/column-lineage")
@blp.arguments(LineageColumnQuery, location="query")
@blp.response(200, LineageGraphOut)
@require_roles(*READERS)
def get_column_lineage(query):
    """Field-level lineage around a `dataset:` or `datasetField:{ns}:{dataset}:{field}` node."""
    return lineage.column_lineage_graph(db_session(), **query)


@blp.route("/lineage/impact")
@blp.arguments(LineageImpactQuery, location="query")
@blp.response(200, LineageImpactOut)
@require_roles(*READERS)
def get_impact(query):
    """Everything downstream of a dataset, job or column, with the owners to notify."""
    return lineage.impact(db_session(), **query)


@blp.route("/events/lineage")
@blp.arguments(LineageEventsQuery, location="query")
@blp.response(200, LineageEventsOut)
@require_roles(*READERS)
def get_events(query):
    """The raw events as received, newest first (`before`, `after`, `limit`, `offset`, `sortDirection`)."""
    return lineage.event_page(
        db_session(),
        before=query["before"],
        after=query["after"],
        limit=query["limit"],
        offset=query["offset"],
        ascending=query["sort"] == "asc",
    )
