"""Role checks for API views: `Authorization: Bearer` tokens, or a signed-in web session."""

from __future__ import annotations

import functools
from collections.abc import Callable
from copy import deepcopy
from typing import Any, Protocol

from flask import g, request, session
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from api.context import SAFE_METHODS, db_session
from core import tokens, users
from core.audit import Actor
from core.errors import Forbidden, Unauthorized
from core.roles import ALL_ROLES, Role, allows


class Principal(Protocol):
    """Whoever made the request: a token or a web user."""

    role: Role

    @property
    def actor(self) -> Actor: ...


def current_principal() -> Principal:
    """The authenticated principal of this request (set by the role check)."""
    return g.principal


def current_actor() -> Actor:
    """The principal as the actor of audited writes."""
    return g.principal.actor


def _authenticate() -> Principal:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("use `Authorization: Bearer <token>`", field="Authorization")
        return tokens.authenticate(db_session(), secret.strip())
    user_id = session.get("uid")
    if user_id:
        user = users.get_user(db_session(), user_id)
        if user is not None:
            _check_csrf()
            return user
    raise Unauthorized(
        "authentication required: send `Authorization: Bearer <token>` (create one with `concord token create`)",
        field="Authorization",
    )


def _check_csrf() -> None:
    # A browser session sends its cookie on any site's request: unsafe methods must prove same-origin.
    if request.method in SAFE_METHODS:
        return
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except ValidationError:
        raise Forbidden(
            "missing or stale CSRF token: send the page's csrf-token in the X-CSRFToken header",
            field="X-CSRFToken",
        ) from None


def _document(func: Callable, roles: tuple[str, ...]) -> None:
    # flask-smorest reads `_apidoc`; this puts the security requirement and roles into the spec.
    apidoc = deepcopy(getattr(func, "_apidoc", {}))
    manual = apidoc.setdefault("manual_doc", {})
    manual["security"] = [{"bearerAuth": []}]
    who = ", ".join(sorted(set(roles) | {Role.ADMIN.value}))
    manual["description"] = (manual.get("description", "") + f"\n\nRoles: {who}.").strip()
    responses = manual.setdefault("responses", {})
    responses.setdefault(401, {"description": "No token, or an unknown or revoked one"})
    responses.setdefault(403, {"description": "The token's role may not call this endpoint"})
    func._apidoc = apidoc


def require_roles(*roles: str | Role) -> Callable:
    """Allow the view only to these roles (and admin): 401 without valid credentials, 403 for another role."""
    allowed = tuple(str(r) for r in roles) or ALL_ROLES

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            principal = _authenticate()
            if not allows(principal.role, allowed):
                raise Forbidden(
                    f"role {principal.role} may not do this; it needs one of: {', '.join(allowed)}",
                    field="Authorization",
                )
            g.principal = principal
            return view(*args, **kwargs)

        wrapper._concord_roles = allowed
        _document(wrapper, allowed)
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as deliberately open (health, version, the OpenAPI document)."""
    view._concord_public = True
    return view
