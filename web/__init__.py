"""Server-rendered pages for analysts, stewards, compliance officers and marketing, on the same services as the API."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException

from web import (
    admin,
    auth,
    catalogue,
    compliance,
    dashboard,
    exports,
    filters,
    glossary,
    home,
    policies,
    steward,
    steward_sources,  # noqa: F401 - adds the source pages to the steward blueprint
    suppression,
)
from web.nav import visible_items

# Each area's blueprint; areas add themselves here.
BLUEPRINTS = [
    auth.bp,
    home.bp,
    admin.bp,
    dashboard.bp,
    compliance.bp,
    policies.bp,
    suppression.bp,
    exports.bp,
    catalogue.bp,
    glossary.bp,
    steward.bp,
]


def init_app(app: Flask) -> None:
    """Register the pages, template filters, the signed-in user and HTML error pages."""
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    filters.register(app)
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.before_request(auth.load_user)
    app.context_processor(auth.template_context)
    app.context_processor(lambda: {"nav_items": _nav_items})
    app.config.setdefault("CONCORD_HTML_ERRORS", render_error)


def _nav_items():
    user = g.get("user")
    return visible_items(user.role if user else None, set(current_app.view_functions))


def render_error(error: HTTPException):
    """An HTML error page that says what happened and what to do next."""
    hints = {
        401: "Sign in to continue.",
        403: "Your role does not include this page. Ask an administrator if you need it.",
        404: "Check the address, or search the catalogue.",
        413: "The file is over the upload limit; split it or ask an administrator to raise the limit.",
    }
    status = error.code or 500
    return (
        render_template(
            "error.html",
            status=status,
            title=error.name,
            message=error.description,
            hint=hints.get(status, "Try again; if it keeps happening, tell an administrator."),
        ),
        status,
    )
