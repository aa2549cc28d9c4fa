"""Concurrent audited writers and readers: no "database is locked" (or any other error) reaches a client."""

import threading

from core import audit
from core.tokens import list_tokens
from tests.consent.conftest import consent, profile

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


def test_concurrent_batches_about_the_same_customers_all_succeed(app, db, token):
    # On PostgreSQL concurrent batches race on the same decision rows (and, resent, the same records);
    # the loser is retried, so no client sees an error and every record is stored once.
    ingest = token("ingest")
    setup = app.test_client().post(
        "/api/v1/consent/events", json={"events": [profile("R1"), profile("R2")]}, headers=ingest
    )
    assert setup.status_code == 201
    errors, stored = [], []
    start = threading.Barrier(6)

    def sender(n):
        client = app.test_client()
        start.wait()
        for i in range(8):
            # Every sender also resends the shared record "same-i": a source retrying its delivery.
            events = [consent(f"r{n}-{i}", f"R{1 + i % 2}"), consent(f"same-{i}", "R1")]
            response = client.post("/api/v1/consent/events", json={"events": events}, headers=ingest)
            if response.status_code == 201:
                stored.append(response.json["stored"].get("consent", 0))
            else:
                errors.append((response.status_code, response.get_data(as_text=True)[:200]))

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sum(stored) == 6 * 8 + 8  # each sender's own records, and each shared record once
    with db.session() as session:
        assert audit.verify(session).ok
