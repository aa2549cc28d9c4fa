"""Each source system as its own SQLite database, written with sqlite-utils in bulk."""

from __future__ import annotations

import itertools
import multiprocessing
import queue
from pathlib import Path

import sqlite_utils

from sample_data.schema import BY_NAME, SYSTEMS, tables_of

BATCH_SIZE = 2_000


def database_path(folder: Path, system: str) -> Path:
    """Where a system's database lives, e.g. sources/crm.db."""
    return folder / f"{system}.db"


class SourceStore:
    """Creates the five databases with their tables, appends chunks of rows, then adds the indexes."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.dbs: dict[str, sqlite_utils.Database] = {}
        self.counts = {t.qualified: 0 for s in SYSTEMS for t in tables_of(s)}
        for system in SYSTEMS:
            path = database_path(folder, system)
            path.unlink(missing_ok=True)
            db = sqlite_utils.Database(path)
            # A throw-away build: no journal and no fsync while loading (the file is complete at close).
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")
            for table in tables_of(system):
                db[table.name].create(
                    {c.name: c.type for c in table.columns},
                    pk=table.key,
                    foreign_keys=list(table.foreign_keys),
                )
            self.dbs[system] = db

    def write(self, rows: dict[str, list[tuple]]) -> None:
        """Append rows per `system.table` (tuples in the schema's column order)."""
        for qualified in sorted(rows):
            batch = rows[qualified]
            if not batch:
                continue
            table = BY_NAME[qualified]
            target = self.dbs[table.system][table.name]
            target.insert_all(itertools.chain([table.column_names], batch), batch_size=BATCH_SIZE)
            self.counts[qualified] += len(batch)

    def finish(self) -> dict[str, int]:
        """Index the key and foreign-key columns, close the files, and return the row counts."""
        for system, db in self.dbs.items():
            for table in tables_of(system):
                for column in table.indexes:
                    db[table.name].create_index([column], index_name=f"idx_{table.name}_{column}")
            db.conn.commit()
            db.close()
        return dict(self.counts)


class BackgroundStore:
    """A SourceStore in a child process, so SQLite writing overlaps with generating on a second core."""

    def __init__(self, folder: Path):
        mp = multiprocessing.get_context("spawn")  # no fork: the parent may hold threads and connections
        self._inbox = mp.Queue(maxsize=3)  # at most a few chunks in flight: memory stays bounded
        self._outbox = mp.Queue()
        self._process = mp.Process(target=_serve, args=(folder, self._inbox, self._outbox), daemon=True)
        self._process.start()

    def write(self, rows: dict[str, list[tuple]]) -> None:
        """Hand a chunk's rows to the writer (waits while it is behind)."""
        while True:
            try:
                self._inbox.put(dict(rows), timeout=1)
                return
            except queue.Full:
                self._raise_if_dead()

    def finish(self) -> dict[str, int]:
        """Wait for the writer to index and close the databases; its row counts."""
        self._inbox.put(None)
        while True:
            try:
                status, value = self._outbox.get(timeout=1)
                break
            except queue.Empty:
                self._raise_if_dead()
        self._process.join()
        if status != "ok":
            raise RuntimeError(f"writing the source databases failed: {value}")
        return value

    def close(self) -> None:
        """Stop the writer if it is still running (after an error in the parent)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()

    def _raise_if_dead(self) -> None:
        if self._process.is_alive():
            return
        try:
            _, message = self._outbox.get_nowait()
        except queue.Empty:
            message = f"exit code {self._process.exitcode}"
        raise RuntimeError(f"writing the source databases failed: {message}")


def _serve(folder: Path, inbox, outbox) -> None:
    """The writer process: create the databases, append chunks until None arrives, then index."""
    try:
        store = SourceStore(folder)
        while (rows := inbox.get()) is not None:
            store.write(rows)
        outbox.put(("ok", store.finish()))
    except Exception as exc:
        outbox.put(("error", f"{type(exc).__name__}: {exc}"))
