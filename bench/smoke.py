"""A quick check that the runner works: audit appends per second against plain inserts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa

from app import build_runtime
from bench.runner import BenchOptions, Figure, timed
from core import audit, migrate
from core.audit import SYSTEM
from core.settings import Settings


def run(options: BenchOptions) -> list[Figure]:
    """Audited writes/s on SQLite, with raw inserts into a plain table as the baseline."""
    n = int(2000 * options.scale)
    with tempfile.TemporaryDirectory() as tmp:
        runtime = build_runtime(Settings.from_env({}, instance_path=Path(tmp)))
        migrate.upgrade(runtime.db)

        def audited():
            with runtime.db.session(write=True) as session:
                for i in range(n):
                    audit.record(session, SYSTEM, "bench.write", "bench", str(i))
                session.commit()

        def plain():
            with runtime.db.engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE plain (id INTEGER PRIMARY KEY, v TEXT)")
                conn.execute(sa.text("INSERT INTO plain (v) VALUES (:v)"), [{"v": str(i)} for i in range(n)])

        audited_s, _ = timed(audited)
        plain_s, _ = timed(plain)
        runtime.close()
    return [
        Figure(
            "audit log appends (one transaction)",
            n / audited_s,
            "entries/s",
            baseline_name="plain inserts",
            baseline_value=n / plain_s,
        )
    ]
