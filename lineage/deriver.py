"""The per-process deriver: a background thread that drains the queue of stored, not yet derived events.

Started on the first `derive_soon` (after any fork), it exits after a quiet spell and starts again on
the next one, so idle processes hold no thread. `drain` does the same work in the caller's thread.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref

from core.db import Database
from lineage.pipeline import derive_pending

log = logging.getLogger(__name__)

IDLE_SECONDS = 30.0
# Events arriving in a burst are coalesced: the deriver starts once arrivals pause for QUIET_SECONDS,
# or at the latest MAX_DELAY_SECONDS after the first one, so busy periods make large (cheaper) batches
# and the graph is at most about a second behind. Between batches it lets writers in: on SQLite a
# waiting writer polls for the lock, and a deriver that took it back at once would starve ingestion.
QUIET_SECONDS = 0.05
MAX_DELAY_SECONDS = 1.0
BACKGROUND_BATCH = 200
PAUSE_SECONDS = 0.1  # longer than SQLite's longest busy-handler sleep (100 ms)
_registry: weakref.WeakKeyDictionary[Database, Deriver] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


class Deriver:
    """Drains `lineage_pending` for one database."""

    def __init__(self, db: Database):
        self._db = weakref.ref(db)  # the registry must not keep a disposed database alive
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._drain_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def nudge(self) -> None:
        """Derive what is queued, soon, on the background thread."""
        self._wake.set()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="concord-lineage-deriver", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            if not self._wake.wait(IDLE_SECONDS):
                with self._lock:
                    if not self._wake.is_set():
                        self._thread = None
                        return
            self._coalesce()
            try:
                self.drain(batch=BACKGROUND_BATCH, pause=PAUSE_SECONDS)
            except Exception:  # a database hiccup must not kill the deriver; the queue stays for the next try
                log.exception("lineage deriver failed; retrying shortly")
                time.sleep(1.0)
                self._wake.set()

    def _coalesce(self) -> None:
        deadline = time.monotonic() + MAX_DELAY_SECONDS
        while True:
            self._wake.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._wake.wait(min(QUIET_SECONDS, remaining)):
                return

    def drain(self, *, batch: int = 500, pause: float = 0.0) -> int:
        """Derive every queued event now, in this thread; how many were derived."""
        total = 0
        with self._drain_lock:
            while True:
                db = self._db()
                if db is None:
                    return total
                with db.session(write=True) as session:
                    taken = derive_pending(session, limit=batch)
                total += taken
                if not taken:
                    return total
                if pause:
                    time.sleep(pause)


def deriver_for(db: Database) -> Deriver:
    """The deriver of this database in this process."""
    with _registry_lock:
        deriver = _registry.get(db)
        if deriver is None:
            deriver = _registry[db] = Deriver(db)
        return deriver


def derive_soon(db: Database) -> None:
    """Have queued events derived in the background."""
    deriver_for(db).nudge()


def drain(db: Database, *, gentle: bool = False) -> int:
    """Derive every queued event before returning (CLI, tests, jobs); `gentle` leaves writers room between batches."""
    if gentle:
        return deriver_for(db).drain(batch=BACKGROUND_BATCH, pause=PAUSE_SECONDS)
    return deriver_for(db).drain()
