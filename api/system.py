"""Health, version, API tokens, web users and the audit log."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask_smorest import Blueprint

from api.auth import current_actor, public, require_roles
from api.context import db_session, runtime
from api.schemas.system import (
    AuditEntryOut,
    AuditQuery,
    AuditVerificationOut,
    CreatedTokenOut,
    HealthOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    VersionOut,
)
from core import audit, migrate, tokens, users
from core.roles import Role

blp = Blueprint("api_system", __name__, description="Health and version")
admin_blp = Blueprint(
    "api_admin", __name__, url_prefix="/api/v1", description="Tokens, users and the audit log"
)


def concord_version() -> str:
    """The installed package version."""
    try:
        return version("concord")
    except PackageNotFoundError:
        return "0+unknown"


@blp.route("/healthz")
@blp.response(200, HealthOut)
@public
def healthz():
    """Liveness: the process answers and the database is reachable (503 otherwise)."""
    rt = runtime()
    rt.db.ping()
    return {"status": "ok", "database": rt.db.dialect, "migrations_current": migrate.is_current(rt.db.engine)}


@blp.route("/api/v1/version")
@blp.response(200, VersionOut)
@public
def api_version():
    """Concord's version and the API version."""
    return {"name": "concord", "version": concord_version(), "api": "v1"}


@admin_blp.route("/tokens")
@admin_blp.response(200, TokenOut(many=True))
@require_roles(Role.ADMIN)
def list_tokens():
    """Every API token (never the secret)."""
    return tokens.list_tokens(db_session())


@admin_blp.route("/tokens", methods=["POST"])
@admin_blp.arguments(TokenIn)
@admin_blp.response(201, CreatedTokenOut)
@require_roles(Role.ADMIN)
def create_token(body):
    """Create a token; its secret is in this response only."""
    created = tokens.create_token(db_session(), role=body["role"], name=body["name"], actor=current_actor())
    return {"id": created.id, "name": created.name, "role": created.role.value, "token": created.secret}


@admin_blp.route("/tokens/<token_id>", methods=["DELETE"])
@admin_blp.response(204)
@require_roles(Role.ADMIN)
def revoke_token(token_id: str):
    """Revoke a token."""
    tokens.revoke_token(db_session(), token_id=token_id, actor=current_actor())


@admin_blp.route("/users", methods=["POST"])
@admin_blp.arguments(UserIn)
@admin_blp.response(201, UserOut)
@require_roles(Role.ADMIN)
def create_user(body):
    """Create a web user with one role."""
    return users.create_user(db_session(), actor=current_actor(), **body)


@admin_blp.route("/audit")
@admin_blp.arguments(AuditQuery, location="query")
@admin_blp.response(200, AuditEntryOut(many=True))
@require_roles(Role.COMPLIANCE)
def audit_log(query):
    """Audit entries, newest first; page with `before_seq`."""
    return audit.recent(db_session(), limit=query["limit"], before_seq=query["before_seq"])


@admin_blp.route("/audit/verify")
@admin_blp.response(200, AuditVerificationOut)
@require_roles(Role.COMPLIANCE)
def audit_verify():
    """Recompute the hash chain and report any changed, deleted or inserted entry."""
    return audit.verify(db_session())
