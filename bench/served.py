"""A throw-away Concord service for benchmarks: fresh database (SQLite file or PostgreSQL schema) + gunicorn."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
import sqlalchemy as sa

from app import build_runtime
from core import migrate, tokens
from core.audit import SYSTEM
from core.runtime import Runtime
from core.settings import Settings

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START_TIMEOUT = 60


@dataclass
class Service:
    """A running service: its URL, an admin token's headers, and a runtime on the same database for checks."""

    backend: str
    base_url: str
    headers: dict[str, str]
    runtime: Runtime
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def scratch_database(backend: str, instance: Path, pg_url: str) -> Iterator[str]:
    """A fresh SQLite file in `instance`, or a throw-away PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{instance / 'concord.db'}"
        return
    schema = f"soak_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{pg_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextlib.contextmanager
def running_service(
    backend: str, workdir: Path, *, workers: int = 2, threads: int = 4, pg_url: str | None = None
) -> Iterator[Service]:
    """Create the database, an admin token and start `concord serve --prod`; stop and clean up afterwards."""
    instance = Path(workdir) / f"served-{backend}-{uuid.uuid4().hex[:6]}"
    instance.mkdir(parents=True)
    try:
        with scratch_database(
            backend, instance, pg_url or os.environ.get("CONCORD_TEST_PG_URL", DEFAULT_PG_URL)
        ) as url:
            settings = Settings.from_env({}, instance_path=instance, database_url=url)
            runtime = build_runtime(settings)
            try:
                migrate.upgrade(runtime.db)
                with runtime.db.session(write=True) as session:
                    secret = tokens.create_token(session, role="admin", name="bench", actor=SYSTEM).secret
                quiet = {"CONCORD_LOG_LEVEL": "WARNING"}
                with gunicorn_process(url, instance, workers=workers, threads=threads, env=quiet) as (
                    base,
                    log,
                ):
                    yield Service(backend, base, {"Authorization": f"Bearer {secret}"}, runtime, log)
            finally:
                runtime.close()
    finally:
        shutil.rmtree(instance, ignore_errors=True)


@contextlib.contextmanager
def gunicorn_process(
    url: str, instance: Path, *, workers: int = 2, threads: int = 4, env: dict[str, str] | None = None
) -> Iterator[tuple[str, Path]]:
    """`concord serve --prod` on an ephemeral port until the block ends (SIGTERM, then SIGKILL if stuck).

    Yields the base URL and the file its output goes to; `env` adds or overrides CONCORD_* settings.
    """
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CONCORD_", "PROMETHEUS_"))}
    environ.update(CONCORD_DATABASE_URL=url, CONCORD_INSTANCE_PATH=str(instance), **(env or {}))
    command = [sys.executable, "-c", "from cli import main; main()", "serve", "--prod", "--port", str(port)]
    command += ["--workers", str(workers), "--threads", str(threads)]
    log = instance / "server.log"
    instance.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        proc = subprocess.Popen(command, env=environ, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc, log)
        yield base, log
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the service exited ({proc.returncode}): {log.read_text()[-2000:]}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the service did not answer within {START_TIMEOUT}s: {log.read_text()[-2000:]}")
