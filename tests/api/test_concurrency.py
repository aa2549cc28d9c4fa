"""Concurrent audited writers and readers: no "database is locked" (or any other error) reaches a client."""

import threading

from core import audit
from core.tokens import list_tokens

WRITERS, READERS, WRITES_EACH = 4, 4, 25


def test_concurrent_writers_and_readers_see_no_errors(app, db, token):
    admin = token("admin")
    errors, created, reads = [], [], []
    writers_done = threading.Event()
    start = threading.Barrier(WRITERS + READERS)

    def writer(n):
        client = app.test_client()
        start.wait()
        for i in range(WRITES_EACH):
            response = client.post(
                "/api/v1/tokens", json={"name": f"w{n}-{i}", "role": "analyst"}, headers=admin
            )
            if response.status_code == 201:
                created.append(response.json["id"])
            else:
                errors.append((response.status_code, response.get_data(as_text=True)[:200]))

    def reader():
        client = app.test_client()
        start.wait()
        for _ in range(500):  # bounded even if the writers stall
            if writers_done.is_set():
                return
            for path in ("/api/v1/audit?limit=20", "/api/v1/tokens"):
                response = client.get(path, headers=admin)
                if response.status_code == 200:
                    reads.append(1)
                else:
                    errors.append((response.status_code, response.get_data(as_text=True)[:200]))

    write_threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    read_threads = [threading.Thread(target=reader) for _ in range(READERS)]
    for t in write_threads + read_threads:
        t.start()
    for t in write_threads:
        t.join(120)
    writers_done.set()
    for t in read_threads:
        t.join(120)
    assert errors == []
    assert len(created) == WRITERS * WRITES_EACH and reads
    with db.session() as session:
        assert len(list_tokens(session)) == WRITERS * WRITES_EACH + 1
        verified = audit.verify(session)
    assert verified.ok and verified.checked == WRITERS * WRITES_EACH + 1
