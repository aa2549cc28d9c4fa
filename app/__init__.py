"""The application factory: the one place that wires settings, database, API, web pages and scheduler."""

from __future__ import annotations

import importlib
import logging
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

import api
import web
from api.gzip_body import GzipRequestMiddleware
from api.system import concord_version
from app import lifecycle, observability
from app.sessions import LazyCookieSessions
from core.db import Database
from core.logs import configure_logging
from core.openlineage import Emitter
from core.runtime import Runtime
from core.settings import Settings
from lineage.sink import LocalSink

log = logging.getLogger(__name__)

# Every package's storage rows, imported so SQLModel's metadata (migrations, checks) sees all tables.
MODEL_MODULES = [
    "core.models",
    "jobs.models",
    "identity.models",
    "consent.models",
    "consent.models_dry_run",
    "consent.models_exports",
    "consent.models_feeds",
    "catalog.models",
    "catalog.models_governance",
    "catalog.models_ops",
    "catalog.models_search",
    "lineage.models",
    "lineage.models_graph",
]


def import_models() -> None:
    """Import every storage model module."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def build_runtime(settings: Settings) -> Runtime:
    """Settings, database and lineage emitter, as every entry point (web, CLI, jobs) uses them."""
    db = Database(settings)
    return Runtime(settings=settings, db=db, emitter=lineage_emitter(settings, db))


def lineage_emitter(settings: Settings, db: Database) -> Emitter:
    """The emitter for Concord's own jobs: into this database's lineage store (and the external endpoint)."""
    return Emitter(settings, local_sink=LocalSink(db))


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the Flask app for `settings` (read from the environment when not given)."""
    settings = settings or (runtime.settings if runtime else Settings.from_env())
    configure_logging(settings)
    runtime = runtime or build_runtime(settings)
    app = Flask(__name__, instance_path=str(settings.instance_path), instance_relative_config=False)
    app.config.update(
        SECRET_KEY=settings.secret_key or _instance_secret(settings.instance_path),
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # A sign-in lasts a working day from login. Not refreshing the cookie on every response also keeps a
        # slow response (an asset, say) from writing back an older session over a newer one, CSRF token and all.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    app.extensions["concord"] = runtime
    app.session_interface = LazyCookieSessions()
    api.init_app(app, concord_version())
    web.init_app(app)
    app.wsgi_app = GzipRequestMiddleware(app.wsgi_app, max_compressed_bytes=settings.max_upload_bytes)
    observability.install(app)
    lifecycle.start(app, runtime)
    return app


def _instance_secret(instance: Path) -> str:
    """The secret key kept in the instance folder, created on first start (mode 0600)."""
    path = Path(instance) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
