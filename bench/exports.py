"""Segment exports: rows/s and peak memory of an export end to end, against baselines from the same run.

Figures, for a segment of `--rows` (default 100,000 x scale) mixed subjects (customer ids, emails, source
keys, 3% unknown, 2% repeated) against the unified consent sample:

- the export in its own process (submit: spool + check; run: resolve, check, write, publish), rows/s and
  peak RSS; baseline (a): plain CSV read + write of the same file (the I/O floor); baseline (b): an
  in-memory hash join against a precomputed allowed set read from the unified table (the physical limit);
- the export through HTTP on gunicorn (upload -> progress polls -> compliant CSV downloaded), rows/s, and
  the serving worker's peak RSS meanwhile; baseline: single GET /consent/eligibility requests, `--sample`
  (10,000) of them, extrapolated.
"""

from __future__ import annotations

import csv
import http.client
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil
import sqlalchemy as sa

from bench import consent_data
from bench.consent_eligibility import concord_env
from bench.http_load import gunicorn
from bench.runner import BenchOptions, Figure


def write_segment(dataset: consent_data.Dataset, rows: int, path: Path, seed: int = 11) -> None:
    """`kind,value` rows: 50% customer ids, 30% emails, 15% source keys; 3% unknown, 2% repeats."""
    rng = random.Random(seed)
    n = len(dataset.customers)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["kind", "value"])
        for i in range(rows):
            roll = rng.random()
            c = rng.randrange(n) if roll < 0.02 else i % n  # 2% repeats of anyone
            if roll > 0.97:
                out.writerow(["email", f"nobody{i}@example.org"])
            elif roll > 0.82:
                out.writerow(["source_key", f"crm:C{c:07d}"])
            elif roll > 0.52:
                out.writerow(["email", consent_data.email(c)])
            else:
                out.writerow(["customer", dataset.customers[c]])


def child(folder: str, segment: str) -> None:
    """Run one export in this process and print seconds and peak RSS (KiB) as JSON (used via subprocess)."""
    from consent import export_job, exports
    from core.audit import Actor

    runtime = consent_data.runtime_for(Path(folder))
    before = _high_water_kib()
    actor = Actor(name="bench", role="marketing")
    start = time.perf_counter()
    submitted = exports.submit_export(runtime.db, source=Path(segment), filename="segment.csv", channel="email",
                                      purpose="marketing", actor=actor)  # fmt: skip
    done = export_job.run_export(runtime.db, export_id=submitted.id, actor=actor)
    seconds = time.perf_counter() - start
    peak = _high_water_kib()
    print(json.dumps({"seconds": seconds, "peak_kib": peak, "start_kib": before, "out": done.output_rows}))


def _high_water_kib() -> int:
    """This process's peak resident memory (VmHWM; ru_maxrss would keep the parent's across exec)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def _in_process(dataset, segment: Path) -> dict:
    code = f"from bench.exports import child; child({str(dataset.folder)!r}, {str(segment)!r})"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def _plain_copy(segment: Path, target: Path) -> float:
    start = time.perf_counter()
    with segment.open(newline="") as src, target.open("w", newline="") as dst:
        writer = csv.writer(dst)
        for row in csv.reader(src):
            writer.writerow(row)
    return time.perf_counter() - start


def _hash_join(dataset, segment: Path, target: Path) -> float:
    """Precomputed allowed set (customer -> contact point, email -> customer) then one pass over the file."""
    with dataset.runtime.db.engine.connect() as conn:
        allowed = dict(conn.execute(sa.text(
            "SELECT customer_id, MIN(contact_point) FROM consent_decision WHERE channel = 'email' "
            "AND purpose = 'marketing' AND allowed GROUP BY customer_id")).all())  # fmt: skip
        by_email = dict(conn.execute(sa.text(
            "SELECT value, customer_id FROM id_contact_point WHERE kind = 'email'")).all())  # fmt: skip
        by_key = dict(conn.execute(sa.text(
            "SELECT source_system || ':' || source_key, customer_id FROM id_source_record")).all())  # fmt: skip
    start = time.perf_counter()
    seen: set[str] = set()
    with segment.open(newline="") as src, target.open("w", newline="") as dst:
        writer = csv.writer(dst)
        reader = csv.reader(src)
        next(reader)
        for kind, value in reader:
            cid = value if kind == "customer" else (by_email if kind == "email" else by_key).get(value)
            if cid is None or cid in seen:
                continue
            seen.add(cid)
            point = allowed.get(cid)
            if point is not None:
                writer.writerow([cid, point, "allowed"])
    return time.perf_counter() - start


def _request(port, method, path, headers, body=None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _service_rss_mib(port: int) -> float:
    """The largest resident memory of one worker of the gunicorn serving `port` (the export runs in one)."""
    for proc in psutil.process_iter(["cmdline"]):
        if f"127.0.0.1:{port}" in (proc.info["cmdline"] or ()):
            workers = proc.children() or [proc]
            return max(w.memory_info().rss for w in workers) / 2**20
    return 0.0


def _over_http(port: int, headers: dict, segment: Path) -> tuple[float, float]:
    """Seconds from upload to downloaded compliant list, and the service's peak worker RSS (MiB) meanwhile."""
    peak = _service_rss_mib(port)
    start = time.perf_counter()
    query = urlencode({"channel": "email", "purpose": "marketing", "name": "segment.csv"})
    with segment.open("rb") as body:
        status, data = _request(
            port, "POST", f"/api/v1/exports?{query}", {**headers, "Content-Type": "text/csv"}, body
        )
    if status not in (201, 202):
        raise RuntimeError(f"upload answered {status}: {data[:300]!r}")
    export = json.loads(data)
    while export["state"] in ("queued", "running"):
        time.sleep(0.2)
        peak = max(peak, _service_rss_mib(port))
        export = json.loads(_request(port, "GET", f"/api/v1/exports/{export['id']}", headers)[1])
    if export["state"] != "done":
        raise RuntimeError(f"export {export['state']}: {export['message']}")
    status, data = _request(port, "GET", f"/api/v1/exports/{export['id']}/download", headers)
    if status != 200 or not data.startswith(b"customer_id"):
        raise RuntimeError(f"download answered {status}")
    return time.perf_counter() - start, max(peak, _service_rss_mib(port))


def _single_requests(port: int, headers: dict, dataset, sample: int) -> float:
    rng = random.Random(3)
    picks = rng.sample(dataset.customers, min(sample, len(dataset.customers)))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    for cid in picks:
        conn.request("GET", "/api/v1/consent/eligibility?" + urlencode(
            {"customer": cid, "channel": "email", "purpose": "marketing"}), headers=headers)  # fmt: skip
        conn.getresponse().read()
    conn.close()
    return (time.perf_counter() - start) / len(picks)


def run(options: BenchOptions) -> list[Figure]:
    """Rows/s and peak memory of an export, with the CSV copy, hash join and per-request baselines."""
    n_customers = max(1000, int(100_000 * options.scale))
    rows = int(options.extra.get("rows", n_customers))
    dataset = consent_data.served(n_customers, n_customers * 3, options.workdir)
    segment = options.workdir / f"segment-{rows}.csv"
    with dataset.runtime.db.engine.connect() as conn:  # a large leftover WAL would slow every reader
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    try:
        write_segment(dataset, rows, segment)
        copy_s = _plain_copy(segment, options.workdir / "copy.csv")
        join_s = _hash_join(dataset, segment, options.workdir / "join.csv")
        own = _in_process(dataset, segment)
        headers = {"Authorization": f"Bearer {consent_data.token(dataset, 'marketing')}"}
        env = {**concord_env(dataset), "CONCORD_EXPORT_INLINE_ROWS": "0"}
        with gunicorn("app:create_app()", env) as port:
            idle_mib = _service_rss_mib(port)
            http_s, service_mib = _over_http(port, headers, segment)
            service_mib = max(service_mib, idle_mib)
            single_s = _single_requests(port, headers, dataset, int(options.extra.get("sample", 10_000)))
    finally:
        dataset.close()
    rate = rows / own["seconds"]
    peak_mib = own["peak_kib"] / 1024
    return [
        Figure(
            f"export {rows:,} rows in-process",
            rate,
            "rows/s",
            "plain CSV read+write",
            rows / copy_s,
            goal="I/O floor for reference",
            notes=f"{own['out']:,} compliant rows",
        ),
        Figure(
            f"export {rows:,} rows in-process vs hash join",
            rate,
            "rows/s",
            "in-memory hash join",
            rows / join_s,
            goal="within 5x of the hash join",
        ),
        Figure(
            f"export {rows:,} rows peak RSS",
            peak_mib,
            "MiB",
            "RSS after imports",
            own["start_kib"] / 1024,
            higher_is_better=False,
            goal="< 1024 MiB for 1M rows",
        ),
        Figure(
            f"export {rows:,} rows service worker peak RSS",
            service_mib,
            "MiB",
            "worker RSS before the upload",
            idle_mib,
            higher_is_better=False,
            goal="< 1024 MiB for 1M rows",
        ),
        Figure(
            f"export {rows:,} rows over HTTP (upload..download)",
            rows / http_s,
            "rows/s",
            "single GET eligibility per subject (extrapolated)",
            1 / single_s,
            goal=">= 100x the per-request rate",
        ),
    ]
