"""OpenLineage ingestion over HTTP: 4 concurrent clients posting realistic events one per request or in batches.

The service runs under gunicorn (gthread workers, as `concord serve --prod` would, here 2 workers x 4
threads) on a fresh SQLite file. Each event is what a scheduler integration sends: a START or COMPLETE
RunEvent with 2 inputs and 1 output carrying schema and columnLineage facets (about 4 KB), for 300
recurring jobs. Measured: events accepted per second (201 answers, the raw event stored and queued),
request latency, and events derived per second (the graph up to date) counted from the first request.
Baseline in the same run: the same raw events appended to a plain SQLite table by 4 threads, one
commit per event. `--backend postgresql` (or `both`) serves a throw-away PostgreSQL schema instead
(`--pg-url`, default the test server); SQLite is the default.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import sqlalchemy as sa

from bench import http_load, served
from bench.runner import BenchOptions, Figure, percentile
from core import migrate
from core.audit import SYSTEM
from core.db import Database
from core.settings import Settings
from core.tokens import create_token

CLIENTS = 4
WORKERS, THREADS = 1, 8
BATCH = 50  # events per request in the batch-endpoint run
COLUMNS = [f"c{i}" for i in range(8)]
NS = "postgres://warehouse:5432"


def _facet(**content) -> dict:
    return {
        "_producer": "https://example.com/bench",
        "_schemaURL": "https://openlineage.io/spec/facets/x.json",
        **content,
    }


def _dataset(name: str, lineage_from: tuple[str, str] | None = None) -> dict:
    facets = {"schema": _facet(fields=[{"name": c, "type": "VARCHAR"} for c in COLUMNS])}
    if lineage_from:
        facets["columnLineage"] = _facet(
            fields={
                c: {
                    "inputFields": [
                        {
                            "namespace": NS,
                            "name": src,
                            "field": c,
                            "transformations": [{"type": "DIRECT", "subtype": "IDENTITY", "masking": False}],
                        }
                        for src in lineage_from
                    ]
                }
                for c in COLUMNS
            }
        )
    return {"namespace": NS, "name": name, "facets": facets}


def events(count: int, jobs: int = 300) -> list[bytes]:
    """START/COMPLETE pairs of runs of recurring jobs, serialised as clients send them."""
    out = []
    for i in range(count // 2):
        job = i % jobs
        sources = (f"raw.src{job % 200}_a", f"raw.src{(job * 7) % 200}_b")
        run_id = str(uuid.UUID(int=i + 1))
        for state, minute in (("START", 0), ("COMPLETE", 5)):
            event = {
                "eventType": state,
                "eventTime": f"2024-05-{1 + i // 1440 % 28:02d}T{i // 60 % 24:02d}:{i % 60:02d}:{minute:02d}Z",
                "producer": "https://example.com/bench",
                "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
                "run": {"runId": run_id},
                "job": {"namespace": "airflow", "name": f"dag{job // 10}.task{job}"},
                "inputs": [_dataset(s) for s in sources],
                "outputs": [_dataset(f"mart.table{job}", sources)],
            }
            out.append(orjson.dumps(event))
    return out


def _database(tmp: Path, url: str) -> Database:
    db = Database(Settings.from_env({}, instance_path=tmp, database_url=url))
    migrate.upgrade(db)
    return db


def _env(tmp: Path, url: str, derive_in_web: bool) -> dict[str, str]:
    return {
        **os.environ,
        "CONCORD_INSTANCE_PATH": str(tmp),
        "CONCORD_DATABASE_URL": url,
        "CONCORD_SCHEDULER_ENABLED": "false",
        "CONCORD_LOG_LEVEL": "WARNING",
        "CONCORD_LINEAGE_DERIVE_IN_WEB": "true" if derive_in_web else "false",
    }


def batches(bodies: list[bytes], size: int = BATCH) -> list[bytes]:
    """The same events as `{"events": [...]}` bodies of `size` events."""
    return [b'{"events":[' + b",".join(bodies[i : i + size]) + b"]}" for i in range(0, len(bodies), size)]


def _post_all(url: str, token: str, bodies: list[bytes]) -> tuple[float, list[float], list[int]]:
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    parsed = urlsplit(url)

    def client(share: list[bytes]) -> None:
        # http.client with keep-alive: the lightest client, so the clients take little of the CPU.
        http = HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for body in share:
            start = time.perf_counter()
            http.request("POST", parsed.path, body=body, headers=headers)
            response = http.getresponse()
            response.read()
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
                statuses.append(response.status)
        http.close()

    threads = [threading.Thread(target=client, args=(bodies[i::CLIENTS],)) for i in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, statuses


def _wait_derived(db: Database, started: float, limit_s: float = 600) -> float:
    deadline = time.monotonic() + limit_s
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = sa.text("SELECT count(*) FROM lineage_pending WHERE failed = :no")
            if not conn.execute(waiting, {"no": False}).scalar():
                return time.perf_counter() - started
            conn.rollback()
            time.sleep(0.05)
    raise RuntimeError("derivation did not catch up within the time limit")


def _plain_appends(path: Path, bodies: list[bytes]) -> float:
    """Baseline: the same payloads appended to a plain table by 4 threads, one commit each."""
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
    setup.close()

    def writer(share: list[bytes]) -> None:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA synchronous=NORMAL")
        for body in share:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO raw (payload) VALUES (?)", (body.decode(),))
            conn.execute("COMMIT")
        conn.close()

    threads = [threading.Thread(target=writer, args=(bodies[i::CLIENTS],)) for i in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def _scenario(tmp: Path, url: str, path: str, bodies: list[bytes], separate: bool) -> dict:
    """Serve a fresh database, post `bodies` from 4 clients, wait for derivation; timings and counts.

    `separate`: the web process only accepts; a `concord lineage derive --follow` process derives.
    """
    db = _database(tmp, url)
    with db.session(write=True) as session:
        token = create_token(session, role="ingest", name="bench", actor=SYSTEM).secret
    env = _env(tmp, url, derive_in_web=not separate)
    with http_load.gunicorn("app:create_app()", env, workers=WORKERS, threads=THREADS) as port:
        deriver = None
        if separate:
            command = [
                str(Path(sys.executable).parent / "concord"),
                "lineage",
                "derive",
                "--follow",
                "--interval",
                "0.05",
            ]
            deriver = subprocess.Popen(
                command, env=_env(tmp, url, False), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
        try:
            started = time.perf_counter()
            accept_s, latencies, statuses = _post_all(f"http://127.0.0.1:{port}{path}", token, bodies)
            derived_s = _wait_derived(db, started)
        finally:
            if deriver is not None:
                deriver.terminate()
                deriver.wait(timeout=30)
    with db.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM lineage_event")).scalar()
    db.dispose()
    ok = sum(1 for s in statuses if s == 201)
    return {"accept_s": accept_s, "derived_s": derived_s, "latencies": latencies, "ok": ok, "stored": stored}


def _steady_derivation(tmp: Path, url: str, bodies: list[bytes]) -> float:
    """In-process derivation once jobs and datasets are known (later runs of the same jobs): events/s."""
    from lineage import pipeline, raw_store
    from lineage.validate import parse_event

    db = _database(tmp, url)
    parsed = [parse_event(orjson.loads(b)) for b in bodies]
    half = len(parsed) // 2

    def derive(chunk) -> None:
        with db.session(write=True) as session:
            for event in chunk:
                raw_store.append(session, event)
            pipeline.apply(session, chunk)
            session.commit()

    for i in range(0, half, 200):  # first sight: creates jobs, datasets, catalogue entries
        derive(parsed[i : i + 200])
    start = time.perf_counter()
    for i in range(half, len(parsed), 200):
        derive(parsed[i : i + 200])
    rate = (len(parsed) - half) / (time.perf_counter() - start)
    db.dispose()
    return rate


SCENARIOS = (
    ("one event per request", "/api/v1/lineage", False),
    ("one event per request", "/api/v1/lineage", True),
    (f"{BATCH} events per request (/batch)", "/api/v1/lineage/batch", False),
    (f"{BATCH} events per request (/batch)", "/api/v1/lineage/batch", True),
)


def run(options: BenchOptions) -> list[Figure]:
    """Post the events from 4 clients to gunicorn (single and batched, deriving in the web process or in
    a separate one) on SQLite and/or PostgreSQL; plain appends as the baseline."""
    count = max(200, int(4000 * options.scale))
    chosen = str(options.extra.get("backend", "sqlite"))
    backends = ("sqlite", "postgresql") if chosen == "both" else (chosen,)
    pg_url = str(options.extra.get("pg_url", os.environ.get("CONCORD_BENCH_PG_URL", served.DEFAULT_PG_URL)))
    bodies = events(count)
    payloads = {"/api/v1/lineage": bodies, "/api/v1/lineage/batch": batches(bodies)}
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        plain = count / _plain_appends(tmp / "plain.db", bodies)
        base = {"baseline_name": "plain table appends (4 threads)", "baseline_value": plain}
        size = sum(map(len, bodies)) // count
        for backend in backends:
            label_db = "SQLite" if backend == "sqlite" else "PostgreSQL"
            for n, (label, path, separate) in enumerate(SCENARIOS):
                work = tmp / f"{backend}{n}"
                work.mkdir()
                with served.scratch_database(backend, work, pg_url) as url:
                    result = _scenario(work, url, path, payloads[path], separate)
                deriving = "separate deriver process" if separate else "deriving in the web process"
                figures += [
                    Figure(
                        f"{label_db} HTTP ingest, {label}, {deriving}: accepted",
                        result["stored"] / result["accept_s"],
                        "events/s",
                        goal=">= 1,000 events/s",
                        notes=f"{count} events of ~{size} bytes, {CLIENTS} clients, gunicorn gthread "
                        f"{WORKERS}x{THREADS}, {label_db}; {result['ok']} requests answered 201; "
                        f"load average {os.getloadavg()[0]:.1f}",
                        **base,
                    ),
                    Figure(
                        "   ... derived (graph current), from first request",
                        count / result["derived_s"],
                        "events/s",
                        **base,
                    ),
                    Figure(
                        "   ... request latency p50",
                        percentile(result["latencies"], 50),
                        "ms",
                        higher_is_better=False,
                    ),
                    Figure(
                        "   ... request latency p99",
                        percentile(result["latencies"], 99),
                        "ms",
                        higher_is_better=False,
                    ),
                ]
            figures.append(_steady_derivation_figure(count, backend, pg_url))
    return figures


def _steady_derivation_figure(count: int, backend: str, pg_url: str) -> Figure:
    bodies = events(count * 2)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "steady").mkdir()
        with served.scratch_database(backend, tmp / "steady", pg_url) as url:
            rate = _steady_derivation(tmp / "steady", url, bodies)
        plain = count / _plain_appends(tmp / "plain.db", bodies[:count])
    label_db = "SQLite" if backend == "sqlite" else "PostgreSQL"
    return Figure(
        f"{label_db}: derivation alone, known jobs and datasets (in-process, batches of 200)",
        rate,
        "events/s",
        baseline_name="plain table appends (4 threads)",
        baseline_value=plain,
        notes=f"the second half of {count * 2} events, after the first half created 300 jobs and 700 datasets",
    )
