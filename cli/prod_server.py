"""`concord serve --prod`: the app under gunicorn, with graceful shutdown, worker recycling and metrics."""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass
from pathlib import Path

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from app import create_app, lifecycle
from core import metrics
from core.logs import JsonFormatter
from core.settings import Settings


@dataclass(frozen=True)
class ServeOptions:
    """How gunicorn runs: flags override the CONCORD_WEB_* settings."""

    host: str
    port: int
    workers: int
    threads: int
    timeout: int
    max_requests: int


def metrics_dir(settings: Settings, port: int) -> Path:
    """Where this service's workers write their metric samples (one folder per instance and port)."""
    return Path(settings.instance_path) / "prometheus" / f"port-{port}"


def gunicorn_options(settings: Settings, opts: ServeOptions) -> dict:
    """The gunicorn configuration for these settings and flags."""
    return {
        "bind": f"{opts.host}:{opts.port}",
        "workers": opts.workers,
        "threads": opts.threads,
        "worker_class": "gthread",
        "timeout": opts.timeout,
        # In-flight requests get the same time to finish after SIGTERM before workers are killed.
        "graceful_timeout": opts.timeout,
        "keepalive": 5,
        "max_requests": opts.max_requests,
        # Jitter keeps the workers from all restarting at the same moment.
        "max_requests_jitter": max(1, opts.max_requests // 10) if opts.max_requests else 0,
        # The app writes the access log itself (with request ids), in JSON when CONCORD_LOG_JSON.
        "accesslog": None,
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        "logger_class": JsonGunicornLogger if settings.log_json else glogging.Logger,
        "proc_name": "concord",
        # Operators steer Concord with signals (TERM, HUP, TTIN/TTOU), not gunicornc: no socket in $HOME.
        "control_socket_disable": True,
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
        "child_exit": _child_exit,
    }


class JsonGunicornLogger(glogging.Logger):
    """gunicorn's own messages (boot, worker timeouts) as JSON lines, like the rest of Concord's logs."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.setFormatter(JsonFormatter())


def _post_worker_init(worker) -> None:
    # gunicorn's SIGTERM handler stops the worker gracefully; before that, readiness must turn false.
    app, previous = worker.wsgi, signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        app.extensions["concord"].stopping.set()
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, on_term)


def _worker_exit(_server, worker) -> None:
    # Hand the scheduler leadership over at once, and give a job in progress what is left of the
    # worker's timeout to finish (the master kills a worker silent for longer).
    if getattr(worker, "wsgi", None) is not None:
        lifecycle.shutdown(worker.wsgi, wait_seconds=max(0, worker.cfg.timeout - 5))


def _child_exit(_server, worker) -> None:
    metrics.worker_exited(worker.pid)


class ConcordApplication(BaseApplication):
    """Each worker builds its own app (database engine, scheduler) after the fork."""

    def __init__(self, settings: Settings, options: dict):
        self.settings, self.options = settings, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # older gunicorn releases lack some settings (control socket)
                self.cfg.set(key, value)

    def load(self):
        return create_app(self.settings)


def serve_prod(settings: Settings, opts: ServeOptions) -> None:
    """Run gunicorn in the foreground until SIGTERM or SIGINT."""
    metrics.prepare_multiprocess_dir(metrics_dir(settings, opts.port))
    logging.getLogger(__name__).info(
        "gunicorn: %d workers x %d threads on %s:%d", opts.workers, opts.threads, opts.host, opts.port
    )
    ConcordApplication(settings, gunicorn_options(settings, opts)).run()
