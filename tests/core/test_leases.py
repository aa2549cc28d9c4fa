"""Leases and advisory locks: one holder at a time, expiry and takeover, crashes release them."""

import threading

import pytest
import sqlalchemy as sa

from core import leases
from core.leases import AdvisoryLock, LeaseLock, leader_lock, new_holder
from tests.waiting import wait_until


def lease(db, holder: str, ttl: float = 30, name: str = "test.lock") -> LeaseLock:
    return LeaseLock(db, name, holder=holder, ttl_seconds=ttl)


def test_one_holder_at_a_time_until_released(db):
    a, b = lease(db, "a"), lease(db, "b")
    assert a.acquire() and a.held
    assert not b.acquire() and not b.held
    assert a.acquire(), "re-acquiring one's own lease renews it"
    assert a.renew()
    info = leases.current(db, "test.lock")
    assert info.holder == "a" and info.expires_at > info.acquired_at
    a.release()
    assert not a.held and leases.current(db, "test.lock") is None
    assert b.acquire()


def test_expired_lease_is_taken_over_and_the_old_holder_learns_it(db):
    crashed, successor = lease(db, "crashed", ttl=0.5), lease(db, "successor")
    assert crashed.acquire()
    # The crashed holder never renews; the successor keeps trying, as a non-leader does.
    wait_until(successor.acquire, what="the expired lease to be taken over")
    assert leases.current(db, "test.lock").holder == "successor"
    assert not crashed.renew()
    assert not crashed.held
    crashed.release()  # releasing a lease one no longer holds leaves the new holder alone
    assert leases.current(db, "test.lock").holder == "successor"


def test_concurrent_acquirers_get_exactly_one_lease(db):
    contenders = [lease(db, f"h{i}") for i in range(6)]
    barrier, results, errors = threading.Barrier(len(contenders)), [], []

    def contend(lock):
        barrier.wait()
        try:
            results.append(lock.acquire())
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=contend, args=(c,)) for c in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(results) == [False] * 5 + [True]


def test_list_leases_shows_live_ones_by_prefix(db):
    lease(db, "x", name="job:one").acquire()
    lease(db, "y", name="job:two").acquire()
    lease(db, "z", name="other").acquire()
    assert [i.name for i in leases.list_leases(db, prefix="job:")] == ["job:one", "job:two"]


def test_holder_ids_are_unique():
    assert new_holder() != new_holder()
    assert new_holder("scheduler").endswith(":scheduler")


def test_leader_lock_is_advisory_on_postgresql_and_a_lease_on_sqlite(db, backend):
    lock = leader_lock(db, "test.leader", holder="h", ttl_seconds=5)
    assert isinstance(lock, AdvisoryLock if backend == "postgresql" else LeaseLock)


def _advisory_pid(db, lock: AdvisoryLock) -> int | None:
    with db.engine.connect() as conn:
        key = leases.advisory_key(conn, lock.name)
        return conn.execute(
            sa.text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = :c AND objid = :o AND objsubid = 2"
            ),
            {"c": key[0], "o": key[1]},
        ).scalar()


def test_advisory_lock_is_exclusive_and_released_when_its_connection_dies(db, backend):
    if backend != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    a, b = AdvisoryLock(db, "test.leader", holder="a"), AdvisoryLock(db, "test.leader", holder="b")
    try:
        assert a.acquire() and a.held
        assert not b.acquire()
        assert a.renew()
        # The leader's connection dies (crash, network): the server releases the lock at once.
        with db.engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": _advisory_pid(db, a)})
        wait_until(b.acquire, what="the advisory lock to be free")
        assert not a.renew() and not a.held
    finally:
        a.release()
        b.release()


def test_advisory_lock_release_lets_another_take_it(db, backend):
    if backend != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    a, b = AdvisoryLock(db, "test.leader", holder="a"), AdvisoryLock(db, "test.leader", holder="b")
    assert a.acquire()
    a.release()
    assert _advisory_pid(db, a) is None
    assert b.acquire()
    b.release()


def test_advisory_lock_refuses_sqlite(db, backend):
    if backend != "sqlite":
        pytest.skip("checks the SQLite refusal")
    with pytest.raises(ValueError, match="PostgreSQL"):
        AdvisoryLock(db, "x", holder="h")
