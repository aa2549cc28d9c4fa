"""Request ids, the access log and request metrics, for every request the app answers."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable

from flask import Flask, request
from werkzeug.wsgi import ClosingIterator

from core import metrics
from core.logs import request_id

access_log = logging.getLogger("concord.access")

# Probes and scrapes arrive every few seconds: logged at DEBUG so they do not drown the access log.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
ENDPOINT_KEY = "concord.endpoint"
STREAMED_KEY = "concord.streamed"


class RequestObserver:
    """WSGI middleware: assigns the request id, then logs and counts the request once it is answered.

    A built response is finished when the app returns it; a streamed one (exports) when the server
    closes its body, so its duration covers the whole stream.

    Only method, path (never the query string, which may carry contact points), route, status, size
    and duration are logged: never headers, tokens or bodies.
    """

    def __init__(self, wsgi_app: Callable):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request_id.set(rid)
        started = time.perf_counter()
        seen: dict = {"status": 500, "bytes": None}

        def observed_start(status: str, headers: list, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append(("X-Request-ID", rid))
            seen["bytes"] = next((v for k, v in headers if k.lower() == "content-length"), None)
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, observed_start)
        except BaseException:
            self._finish(environ, seen, started, rid)
            raise
        if not environ.get(STREAMED_KEY):
            self._finish(environ, seen, started, rid)
            return body
        return ClosingIterator(body, lambda: self._finish(environ, seen, started, rid))

    def _finish(self, environ: dict, seen: dict, started: float, rid: str) -> None:
        seconds = time.perf_counter() - started
        method = environ.get("REQUEST_METHOD", "")
        method = method if method in METHODS else "OTHER"
        path = environ.get("PATH_INFO", "")
        endpoint = environ.get(ENDPOINT_KEY) or "unmatched"
        status = seen["status"]
        try:
            metrics.observe_request(method, endpoint, status, seconds)
        except Exception:  # metrics must never break a response
            access_log.exception("could not record request metrics")
        level = logging.DEBUG if path in QUIET_PATHS else logging.INFO
        if access_log.isEnabledFor(level):
            access_log.log(
                level,
                "%s %s %s %.1fms [%s]",
                method,
                path,
                status,
                seconds * 1000,
                rid,
                extra={
                    "fields": {
                        "method": method,
                        "path": path,
                        "endpoint": endpoint,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "bytes": int(seen["bytes"]) if seen["bytes"] else None,
                        "remote_addr": environ.get("REMOTE_ADDR"),
                    }
                },
            )
        request_id.set(None)


def _remember_endpoint() -> None:
    # The route pattern (`/api/v1/tokens/<token_id>`) keeps metric labels few, unlike raw paths.
    request.environ[ENDPOINT_KEY] = request.url_rule.rule if request.url_rule else "unmatched"


def _remember_streaming(response):
    request.environ[STREAMED_KEY] = response.is_streamed
    return response


def install(app: Flask) -> None:
    """Wrap the app (outermost) and note each request's route before any other hook runs."""
    app.before_request_funcs.setdefault(None, []).insert(0, _remember_endpoint)
    app.after_request(_remember_streaming)
    app.wsgi_app = RequestObserver(app.wsgi_app)
