"""Database engine and sessions: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL by URL."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from core.errors import SettingsError, Unavailable
from core.settings import Settings

WRITE_OPTION = "concord_write"
WRITER_HELD = "concord_writer_lock"


def make_engine(settings: Settings) -> Engine:
    """Create the engine for `settings.database_url`, tuned for its backend."""
    url = sa.make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, settings)
    if url.get_backend_name() == "postgresql":
        return sa.create_engine(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_size,
            pool_pre_ping=True,
            pool_recycle=1800,
        )
    raise SettingsError(
        f"CONCORD_DATABASE_URL uses {url.get_backend_name()!r}; Concord supports sqlite and postgresql",
        field="CONCORD_DATABASE_URL",
    )


def _sqlite_engine(url: sa.URL, settings: Settings) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000, "check_same_thread": False},
        pool_size=settings.db_pool_size,
        max_overflow=2 * settings.db_pool_size,
    )
    busy = int(settings.sqlite_busy_timeout_ms)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Take transaction control from the driver so writers can BEGIN IMMEDIATE (below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={busy}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    # Writers of this process queue here, in order, before asking SQLite: its busy handler polls with
    # growing sleeps (up to 100 ms), so threads contending inside SQLite wait far longer than the lock
    # is held and the slowest requests wait seconds. Other processes still meet at SQLite's lock.
    writers = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A writer takes the write lock up front: a deferred transaction that read first and then
        # writes fails at once with SQLITE_BUSY when another writer got in between.
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        if immediate:
            conn.info[WRITER_HELD] = writers.acquire(timeout=busy / 1000)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        except Exception:
            _release(conn.info)
            raise

    def _release(info: dict) -> None:
        if info.pop(WRITER_HELD, False):
            writers.release()

    event.listen(engine, "commit", lambda conn: _release(conn.info))
    event.listen(engine, "rollback", lambda conn: _release(conn.info))
    # Whatever ended the transaction (an invalidated connection included), returning it to the pool frees it.
    event.listen(engine, "checkin", lambda _dbapi, record: _release(record.info))
    return engine


class Database:
    """The engine plus session factories; one per process, created by the app or the CLI."""

    def __init__(self, settings: Settings, engine: Engine | None = None):
        self.settings = settings
        self.engine = engine or make_engine(settings)
        self._write_engine = self.engine.execution_options(**{WRITE_OPTION: True})

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    def new_session(self, *, write: bool = False) -> Session:
        """A session; `write=True` takes SQLite's write lock when its transaction starts."""
        return Session(self._write_engine if write else self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session closed at the end of the block; uncommitted work is rolled back."""
        session = self.new_session(write=write)
        try:
            yield session
        except Exception:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        """Run `SELECT 1`; raise Unavailable naming the database if it cannot be reached."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except OperationalError as exc:
            raise Unavailable(
                f"database unreachable ({self.engine.url.render_as_string(hide_password=True)}): "
                f"{exc.orig}. Check CONCORD_DATABASE_URL and that the server is running."
            ) from exc

    def dispose(self) -> None:
        """Close pooled connections (after fork, at shutdown)."""
        self.engine.dispose()
