"""Demo loader: the five sample source databases into identity (source records, customers, stable ids)."""

from __future__ import annotations

import sqlite3
from typing import Any

from core.audit import SYSTEM
from identity.quality import evaluate, read_truth_csv, report
from identity.sources import load_mapping, pull_source

SYSTEMS = ("crm", "billing", "support", "marketing", "product")


def _rows(path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        count = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    conn.close()
    return count


def load_identity(runtime: Any, manifest: Any, progress: Any) -> str:
    """Pull every source system's customer table (idempotent), then score the matching against truth.csv."""
    with runtime.db.session(write=True) as session:
        for system in SYSTEMS:
            path = manifest.source_db(system)
            with progress(
                total=_rows(path, load_mapping(system).table), desc=f"identity {system}", unit="records"
            ) as bar:
                pull_source(session, source_system=system, url=f"sqlite:///{path}", actor=SYSTEM,
                            progress=bar.update, emitter=runtime.emitter)  # fmt: skip
        summary = report(session)
        quality = evaluate(session, read_truth_csv(manifest.truth_path))
    return (
        f"{summary.source_records:,} source records -> {summary.customers:,} customers "
        f"(precision {quality.precision:.3f}, recall {quality.recall:.3f} against truth.csv)"
    )


load_identity.label = "identity"
