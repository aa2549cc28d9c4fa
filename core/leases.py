"""Named locks one process holds at a time: lease rows (both databases) and PostgreSQL advisory locks.

A `LeaseLock` is a row (holder, expires_at): its holder renews it, anyone may take it over once it has
expired, so a crashed holder is replaced after at most one lease period. An `AdvisoryLock` is a
PostgreSQL session-level advisory lock held on a dedicated connection: the server releases it the moment
that connection dies. `leader_lock` picks the right one for the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select, update

from core.db import Database
from core.models import Lease

log = logging.getLogger(__name__)

ADVISORY_CLASS = 0x434E43  # "CNC": the first key of every Concord advisory lock
LEADER_LOCK = "scheduler.leader"  # the lock whose holder runs the scheduled jobs


def new_holder(label: str = "") -> str:
    """A holder id unique to this process and call: `host:pid:random[:label]`."""
    base = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    return f"{base}:{label}" if label else base


@dataclass(frozen=True)
class LeaseInfo:
    """Who holds a lease and until when."""

    name: str
    holder: str
    host: str
    pid: int
    acquired_at: datetime
    renewed_at: datetime
    expires_at: datetime


class Lock(Protocol):
    """What the scheduler and the job runner need from a lock."""

    name: str
    holder: str

    def acquire(self) -> bool: ...
    def renew(self) -> bool: ...
    def release(self) -> None: ...
    @property
    def held(self) -> bool: ...


def _db_now(session: Session) -> datetime:
    # PostgreSQL serves several hosts whose clocks may disagree: its own clock decides expiry there.
    if session.get_bind().dialect.name == "postgresql":
        return session.scalar(sa.select(sa.func.clock_timestamp())).astimezone(UTC)
    return datetime.now(UTC)


class LeaseLock:
    """A lease row in the `lease` table; works on SQLite and PostgreSQL."""

    def __init__(self, db: Database, name: str, *, holder: str, ttl_seconds: float):
        self.db, self.name, self.holder, self.ttl = db, name, holder, float(ttl_seconds)
        self._valid_until = 0.0  # monotonic time up to which the lease is certainly ours

    @property
    def held(self) -> bool:
        """Whether the lease is ours and has not lapsed since the last successful renewal."""
        return time.monotonic() < self._valid_until

    def acquire(self) -> bool:
        """Take the lease if it is free, expired or already ours; False if someone else holds it."""
        started = time.monotonic()
        with self.db.session(write=True) as session:
            now = _db_now(session)
            expires = now + timedelta(seconds=self.ttl)
            mine = sa.and_(col(Lease.name) == self.name, col(Lease.holder) == self.holder)
            if session.exec(update(Lease).where(mine).values(renewed_at=now, expires_at=expires)).rowcount:
                return self._granted(session, started)
            takeover = sa.and_(col(Lease.name) == self.name, col(Lease.expires_at) < now)
            values = self._row(now, expires)
            if session.exec(update(Lease).where(takeover).values(**values)).rowcount:
                return self._granted(session, started)
            if session.get(Lease, self.name) is not None:
                return False
            session.add(Lease(name=self.name, **values))
            try:
                session.flush()
            except IntegrityError:  # another process inserted it first
                session.rollback()
                return False
            return self._granted(session, started)

    def renew(self) -> bool:
        """Extend the lease; False (and no longer held) if another holder has taken it over."""
        started = time.monotonic()
        with self.db.session(write=True) as session:
            now = _db_now(session)
            mine = sa.and_(col(Lease.name) == self.name, col(Lease.holder) == self.holder)
            values = {"renewed_at": now, "expires_at": now + timedelta(seconds=self.ttl)}
            if session.exec(update(Lease).where(mine).values(**values)).rowcount:
                return self._granted(session, started)
        self._valid_until = 0.0
        return False

    def release(self) -> None:
        """Give the lease up at once (only if it is still ours)."""
        self._valid_until = 0.0
        with self.db.session(write=True) as session:
            session.exec(delete(Lease).where(col(Lease.name) == self.name, col(Lease.holder) == self.holder))
            session.commit()

    def _row(self, now: datetime, expires: datetime) -> dict:
        return {
            "holder": self.holder,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "acquired_at": now,
            "renewed_at": now,
            "expires_at": expires,
        }

    def _granted(self, session: Session, started: float) -> bool:
        session.commit()
        # Count from before the transaction began: the database may have stamped an earlier instant.
        self._valid_until = started + self.ttl
        return True


class AdvisoryLock:
    """A PostgreSQL session-level advisory lock, kept on its own connection for as long as it is held."""

    def __init__(self, db: Database, name: str, *, holder: str):
        if db.dialect != "postgresql":
            raise ValueError("advisory locks need PostgreSQL; use LeaseLock on SQLite")
        self.db, self.name, self.holder = db, name, holder
        self._conn: sa.Connection | None = None
        self._key: tuple[int, int] | None = None

    @property
    def held(self) -> bool:
        """Whether the dedicated connection holding the lock is open."""
        return self._conn is not None

    def acquire(self) -> bool:
        """Try to take the lock without waiting; True if this holder has it."""
        if self._conn is not None:
            return self.renew()
        conn = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            key = self._key or advisory_key(conn, self.name)
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:c, :o)"), {"c": key[0], "o": key[1]})
            if got.scalar():
                # Name the session after the holder, so operators (and `concord job list`) can see who leads.
                conn.execute(
                    sa.text("SELECT set_config('application_name', :n, false)"), {"n": self.holder[:63]}
                )
                self._conn, self._key = conn, key
                return True
        except Exception:
            conn.invalidate()
            raise
        conn.close()
        return False

    def renew(self) -> bool:
        """Check the connection is alive and still holds the lock; if not, the lock is gone."""
        if self._conn is None or self._key is None:
            return False
        try:
            still = self._conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND pid = pg_backend_pid() AND classid = :c AND objid = :o AND objsubid = 2"
                ),
                {"c": self._key[0], "o": self._key[1]},
            ).scalar()
        except Exception as exc:  # the connection died: the server has released the lock
            log.warning("advisory lock %s lost: %s", self.name, exc)
            self._drop(invalidate=True)
            return False
        if not still:
            self._drop(invalidate=True)
            return False
        return True

    def release(self) -> None:
        """Unlock and return the connection; a connection that cannot unlock is closed for good."""
        if self._conn is None or self._key is None:
            return
        try:
            self._conn.execute(
                sa.text("SELECT pg_advisory_unlock(:c, :o)"), {"c": self._key[0], "o": self._key[1]}
            )
        except Exception:
            self._drop(invalidate=True)
            return
        self._drop(invalidate=False)

    def _drop(self, *, invalidate: bool) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        # A pooled connection would keep a session lock alive: close it for real when in doubt.
        with contextlib.suppress(Exception):
            if invalidate:
                conn.invalidate()
            else:
                conn.close()


def advisory_key(conn: sa.Connection, name: str) -> tuple[int, int]:
    """The two int4 keys of a lock name, scoped to the current schema so deployments sharing a database differ."""
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar() or ""
    digest = hashlib.sha256(f"{schema}:{name}".encode()).digest()
    return ADVISORY_CLASS, int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def advisory_holder(db: Database, name: str) -> str | None:
    """The holder id of whoever holds advisory lock `name` now (PostgreSQL), or None."""
    with db.engine.connect() as conn:
        key = advisory_key(conn, name)
        return conn.execute(
            sa.text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :c AND l.objid = :o"
                " AND l.objsubid = 2"
            ),
            {"c": key[0], "o": key[1]},
        ).scalar()


def leader_lock(db: Database, name: str, *, holder: str, ttl_seconds: float) -> Lock:
    """The lock a leader holds: an advisory lock on PostgreSQL, a renewed lease row on SQLite."""
    if db.dialect == "postgresql":
        return AdvisoryLock(db, name, holder=holder)
    return LeaseLock(db, name, holder=holder, ttl_seconds=ttl_seconds)


def current(db: Database, name: str, *, live_only: bool = True) -> LeaseInfo | None:
    """Who holds the lease row `name` (None if nobody, or only an expired holder when `live_only`)."""
    with db.session() as session:
        row = session.get(Lease, name)
        if row is None or (live_only and row.expires_at <= _db_now(session)):
            return None
        return _info(row)


def list_leases(db: Database, prefix: str = "") -> list[LeaseInfo]:
    """Every unexpired lease whose name starts with `prefix`."""
    with db.session() as session:
        now = _db_now(session)
        query = select(Lease).where(col(Lease.expires_at) > now).order_by(col(Lease.name))
        if prefix:
            query = query.where(col(Lease.name).startswith(prefix))
        return [_info(r) for r in session.exec(query).all()]


def _info(row: Lease) -> LeaseInfo:
    return LeaseInfo(
        name=row.name,
        holder=row.holder,
        host=row.host,
        pid=row.pid,
        acquired_at=row.acquired_at,
        renewed_at=row.renewed_at,
        expires_at=row.expires_at,
    )


def lease_period(ttl_seconds: float) -> float:
    """How often a holder renews (a third of the lease), so two renewals can fail before it lapses."""
    return max(0.05, math.floor(ttl_seconds * 1000 / 3) / 1000)
