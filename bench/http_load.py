"""Serve a WSGI app under gunicorn on 127.0.0.1 (ephemeral port) and drive it with bounded concurrent load."""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bench.runner import percentile


def free_port() -> int:
    """A port the kernel says is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    app_spec: str,
    env: dict[str, str],
    *,
    workers: int = 2,
    threads: int | None = None,
    ready_path: str = "/healthz",
) -> Iterator[int]:
    """Run `gunicorn app_spec` with `workers` sync workers (gthread ones with `threads`); yields the port; stops it after."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        *(["--threads", str(threads), "--worker-class", "gthread"] if threads else []),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "120",
        app_spec,
    ]
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_ready(process, port, ready_path)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_ready(process: subprocess.Popen, port: int, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


@dataclass
class LoadResult:
    """Requests completed, their latencies (seconds), errors, and the wall time of the run."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def add(self, other: LoadResult) -> None:
        """Fold another round into this one."""
        self.latencies.extend(other.latencies)
        self.errors += other.errors
        self.seconds += other.seconds

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def p(self, pct: float) -> float:
        """A latency percentile in milliseconds."""
        return percentile(self.latencies, pct) * 1000


def drive(
    port: int,
    paths: list[str],
    headers: dict[str, str],
    *,
    connections: int = 16,
    seconds: float = 8.0,
    max_requests: int = 200_000,
    warmup: float = 1.0,
) -> LoadResult:
    """`connections` threads each sending GETs (random paths) until `seconds` pass or `max_requests` are done."""
    result = LoadResult()
    lock = threading.Lock()
    stop_at = [0.0]
    measuring = threading.Event()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local: list[float] = []
        errors = 0
        while time.monotonic() < stop_at[0] and len(local) < max_requests // connections:
            start = time.perf_counter()
            try:
                conn.request("GET", rng.choice(paths), headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except OSError:
                conn.close()
                ok = False
            if measuring.is_set():
                if ok:
                    local.append(time.perf_counter() - start)
                else:
                    errors += 1
        conn.close()
        with lock:
            result.latencies.extend(local)
            result.errors += errors

    stop_at[0] = time.monotonic() + warmup + seconds
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    time.sleep(warmup)
    measuring.set()
    began = time.perf_counter()
    for t in threads:
        t.join(timeout=seconds + 60)
    result.seconds = time.perf_counter() - began
    return result


def post_json(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """One POST; returns status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", path, body=body, headers={**headers, "Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def timed_runs(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall seconds of `repeat` calls."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out
