"""Consent policy versions: list, show, upload (validated), dry-run against current data, activate."""

from __future__ import annotations

from dataclasses import asdict

import orjson
from flask import request
from flask_smorest import Blueprint

from api.auth import current_actor, require_roles
from api.context import db_session, runtime
from api.schemas.consent import ActivateOut, DryRunOut, PolicyDetailOut, PolicyText, PolicyVersionOut
from consent import operations, policies
from core.errors import BadRequest, InvalidInput
from core.roles import Role

blp = Blueprint(
    "consent_policies", __name__, url_prefix="/api/v1/consent/policies", description="Consent policy versions"
)
YAML_BODY = {
    "required": True,
    "content": {
        "application/yaml": {"schema": {"type": "string"}},
        "application/json": {"schema": PolicyText},
    },
}


def policy_text() -> str:
    """The YAML document: a raw YAML/text body, or JSON {"yaml": "..."}."""
    data = request.get_data(cache=False)
    if request.mimetype == "application/json":
        try:
            body = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise BadRequest(f"the body is not valid JSON: {exc}", field="body") from None
        if not isinstance(body, dict) or not isinstance(body.get("yaml"), str):
            raise InvalidInput('send the YAML as the body, or JSON {"yaml": "..."}', field="yaml")
        return body["yaml"]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the policy is not UTF-8 text", field="body") from None


@blp.route("")
@blp.response(200, PolicyVersionOut(many=True))
@require_roles(Role.COMPLIANCE)
def list_policies():
    """Every stored policy version, newest first; the active one is marked."""
    return [asdict(v) for v in policies.list_versions(db_session())]


@blp.route("", methods=["POST"])
@blp.doc(requestBody=YAML_BODY)
@blp.response(201, PolicyVersionOut)
@require_roles(Role.COMPLIANCE)
def upload_policy():
    """Store a new version (inactive); a broken policy is rejected naming its line and field."""
    return asdict(policies.upload_policy(db_session(), text=policy_text(), actor=current_actor()))


@blp.route("/dry-run", methods=["POST"])
@blp.doc(requestBody=YAML_BODY)
@blp.response(200, DryRunOut)
@require_roles(Role.COMPLIANCE)
def dry_run_text():
    """How many current decisions a policy document (not stored) would change, from what to what."""
    return _dry_run_out(operations.dry_run(db_session(), text=policy_text()))


@blp.route("/<version>")
@blp.response(200, PolicyDetailOut)
@require_roles(Role.COMPLIANCE)
def show_policy(version: str):
    """One version with its YAML text."""
    return asdict(policies.get_version(db_session(), version=version))


@blp.route("/<version>/dry-run", methods=["POST"])
@blp.response(200, DryRunOut)
@require_roles(Role.COMPLIANCE)
def dry_run_version(version: str):
    """How many current decisions a stored version would change if it were activated."""
    return _dry_run_out(operations.dry_run(db_session(), version=version))


def _dry_run_out(result: operations.DryRun) -> dict:
    def state(value):
        return None if value is None else {"allowed": value[0], "reason": value[1]}

    transitions = [
        {"before": state(b), "after": state(a), "count": n} for (b, a), n in result.transitions.most_common()
    ]
    sample = [{**s, "before": state(s["before"]), "after": state(s["after"])} for s in result.sample]
    return {**asdict(result), "transitions": transitions, "sample": sample}


@blp.route("/<version>/activate", methods=["POST"])
@blp.response(200, ActivateOut)
@require_roles(Role.COMPLIANCE)
def activate_policy(version: str):
    """Make a stored version active and re-evaluate every decision under it."""
    previous, stats = operations.activate(
        db_session(), version=version, actor=current_actor(), emitter=runtime().emitter
    )
    return {
        "version": version,
        "previous": previous,
        "customers": stats.customers,
        "decisions": stats.decisions,
    }
