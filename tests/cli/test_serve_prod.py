"""`concord serve --prod`: gunicorn workers answer, share one scheduler leader, aggregate metrics, log JSON."""

import threading

import orjson
import pytest
import requests

from bench.served import gunicorn_process
from tests.waiting import wait_until

WRITERS, READERS, WRITES_EACH = 3, 3, 20


@pytest.fixture
def prod_server(db, database_url, tmp_path):
    """gunicorn with two workers and the scheduler on, on an ephemeral port; always terminated."""
    env = {
        "CONCORD_SCHEDULER_ENABLED": "true",
        "CONCORD_SCHEDULER_LEASE_SECONDS": "2",
        "CONCORD_LOG_JSON": "true",
    }
    with gunicorn_process(database_url, tmp_path / "instance", workers=2, threads=4, env=env) as served:
        yield served


def _leaders(base: str, headers) -> float:
    text = requests.get(f"{base}/metrics", headers=headers, timeout=5).text
    lines = [line for line in text.splitlines() if line.startswith("concord_scheduler_leader ")]
    return float(lines[0].split()[1]) if lines else 0.0


def _load(base: str, headers) -> tuple[list, int]:
    errors, created = [], []

    def writer(n):
        with requests.Session() as http:
            for i in range(WRITES_EACH):
                r = http.post(
                    f"{base}/api/v1/tokens", json={"name": f"p{n}-{i}", "role": "analyst"}, headers=headers
                )
                (created if r.status_code == 201 else errors).append((r.status_code, r.text[:200]))

    def reader():
        with requests.Session() as http:
            for _ in range(WRITES_EACH):
                r = http.get(f"{base}/api/v1/audit?limit=50", headers=headers, timeout=30)
                if r.status_code != 200:
                    errors.append((r.status_code, r.text[:200]))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    threads += [threading.Thread(target=reader) for _ in range(READERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors, len(created)


@pytest.mark.slow
def test_prod_server_serves_elects_one_leader_and_counts_across_workers(prod_server, token):
    base, log = prod_server
    admin = token("admin")
    assert requests.get(f"{base}/readyz", timeout=5).json()["ready"] is True
    errors, created = _load(base, admin)
    assert errors == []
    assert created == WRITERS * WRITES_EACH
    listed = requests.get(f"{base}/api/v1/tokens", headers=admin, timeout=10).json()
    assert len(listed) == created + 1
    wait_until(lambda: _leaders(base, admin) == 1.0, what="exactly one scheduler leader among the workers")
    text = requests.get(f"{base}/metrics", headers=admin, timeout=5).text
    posts = [
        line
        for line in text.splitlines()
        if line.startswith("concord_http_requests_total{")
        and 'method="POST"' in line
        and 'status="201"' in line
    ]
    assert posts and float(posts[0].split()[-1]) == created, "samples of both workers are summed"
    entries = [orjson.loads(line) for line in log.read_bytes().splitlines() if line.startswith(b"{")]
    access = [e for e in entries if e["logger"] == "concord.access"]
    assert access and all(
        {"request_id", "method", "path", "status", "duration_ms"} <= e.keys() for e in access
    )
    assert any(e["logger"] == "gunicorn.error" for e in entries), "gunicorn's own lines are JSON too"
