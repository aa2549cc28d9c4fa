"""The hash chain: appended in order, verified, and tampering detected."""

import itertools

import sqlalchemy as sa
from sqlmodel import select

from core import audit, clock
from core.audit import SYSTEM, Actor
from core.models import AuditEntry, AuditHead


def _append(db, n):
    with db.session(write=True) as session:
        for i in range(n):
            audit.record(
                session, Actor("alice", "steward", "user"), "dataset.certify", "dataset", f"ds{i}", {"i": i}
            )
        session.commit()


def test_chain_links_each_entry_to_the_previous(db):
    _append(db, 5)
    with db.session() as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
        result = audit.verify(session)
    assert result.ok and result.checked == 5 and result.head_seq == 5


def test_changed_details_are_detected(db):
    _append(db, 4)
    with db.engine.begin() as conn:
        conn.execute(sa.update(AuditEntry).where(AuditEntry.seq == 2).values(entity_id="forged"))
    with db.session() as session:
        result = audit.verify(session)
    assert not result.ok
    assert any("entry 2" in p and "changed" in p for p in result.problems)


def test_deleted_middle_row_is_detected(db):
    _append(db, 4)
    with db.engine.begin() as conn:
        conn.execute(sa.delete(AuditEntry).where(AuditEntry.seq == 3))
    with db.session() as session:
        result = audit.verify(session)
    assert not result.ok
    assert any("missing" in p for p in result.problems)


def test_deleted_tail_is_detected(db):
    _append(db, 3)
    with db.engine.begin() as conn:
        conn.execute(sa.delete(AuditEntry).where(AuditEntry.seq == 3))
    with db.session() as session:
        result = audit.verify(session)
    assert not result.ok
    assert any("tail" in p for p in result.problems)


def test_rolled_back_write_leaves_no_entry(db):
    with db.session(write=True) as session:
        audit.record(session, SYSTEM, "x.create", "x", "1")
        session.rollback()
    with db.session() as session:
        result = audit.verify(session)
    assert result.ok and result.checked == 0


def test_concurrent_appenders_keep_one_chain(db):
    import threading

    errors = []

    def worker(k):
        try:
            for i in range(10):
                with db.session(write=True) as session:
                    audit.record(session, SYSTEM, "t.write", "t", f"{k}-{i}")
                    session.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.session() as session:
        result = audit.verify(session)
    assert result.ok and result.checked == 40


def test_entries_appended_after_the_head_was_read_are_not_tampering(db):
    with db.session(write=True) as session:
        audit.record(session, SYSTEM, "test.one", "thing", "1")
        session.commit()
    with db.session() as reader:
        reader.get(AuditHead, 1)  # the check has read the head when another writer appends
        with db.session(write=True) as writer:
            audit.record(writer, SYSTEM, "test.two", "thing", "2")
            writer.commit()
        assert audit.verify(reader).ok


def test_entry_inserted_past_the_head_is_detected(db):
    with db.session(write=True) as session:
        audit.record(session, SYSTEM, "test.one", "thing", "1")
        session.commit()
        head = session.get(AuditHead, 1)
        forged = AuditEntry(seq=head.seq + 1, at=clock.now(), actor="x", actor_role="admin", action="forged",
                            entity_type="t", entity_id="1", details={}, prev_hash=head.hash, hash="f")  # fmt: skip
        session.add(forged)
        session.commit()
    with db.session() as session:
        result = audit.verify(session)
    assert not result.ok and any("past the head" in p for p in result.problems)
