"""Operations endpoints: readiness for load balancers and Prometheus metrics."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from api.auth import public, require_roles
from api.context import runtime
from api.schemas.operations import ReadyOut
from core import metrics
from core.health import readiness
from core.roles import Role

blp = Blueprint("api_operations", __name__, description="Readiness and metrics")


@blp.route("/readyz")
@blp.response(200, ReadyOut)
@blp.alt_response(
    503, schema=ReadyOut, description="Not ready: database unreachable, schema behind, or stopping"
)
@public
def readyz():
    """Readiness: 200 when the database answers, its schema is current and the process is not stopping."""
    state = readiness(runtime())
    return state, 200 if state.ready else 503


@blp.route("/metrics")
@blp.doc(responses={200: {"description": "Prometheus text exposition format", "content": {"text/plain": {}}}})
@require_roles(Role.ADMIN)
def prometheus_metrics():
    """Prometheus metrics (all worker processes): requests, latencies, jobs, decisions, ingestion."""
    body, content_type = metrics.render()
    return Response(body, content_type=content_type)
