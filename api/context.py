"""Per-request access to the runtime, the database session and the signed-in principal."""

from __future__ import annotations

from flask import current_app, g, request
from sqlmodel import Session

from core.runtime import Runtime

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def runtime() -> Runtime:
    """The app's runtime (settings, database, emitter)."""
    return current_app.extensions["concord"]


def db_session() -> Session:
    """The request's session, opened on first use; writes take SQLite's write lock up front."""
    session = g.get("concord_session")
    if session is None:
        session = runtime().db.new_session(write=request.method not in SAFE_METHODS)
        g.concord_session = session
    return session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session; anything not committed is rolled back."""
    session = g.pop("concord_session", None)
    if session is not None:
        session.close()
