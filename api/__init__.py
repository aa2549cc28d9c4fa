"""The JSON API under /api/v1: thin flask-smorest blueprints over the domain services."""

from __future__ import annotations

from flask import Flask

from api import (
    catalog,
    catalog_governance,
    consent,
    consent_policies,
    errors,
    exports,
    identity,
    lineage,
    lineage_listing,
    operations,
    system,
)
from api.context import close_session
from api.openapi import make_api, openapi_config

# Each area's blueprint, registered in this order; areas add themselves here.
BLUEPRINTS = [
    system.blp,
    system.admin_blp,
    operations.blp,
    identity.blp,
    consent.blp,
    consent_policies.blp,
    exports.blp,
    catalog.blp,
    catalog_governance.blp,
    lineage.blp,
    lineage_listing.blp,
]


def init_app(app: Flask, version: str) -> None:
    """Register the API, its error handlers and the per-request session teardown."""
    app.config.update(openapi_config(version))
    api = make_api(app)
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    errors.register(app)
    app.teardown_appcontext(close_session)
