"""Catalogue jobs: certification expiry, stale datasets, search ranking signals and scheduled scans."""

from __future__ import annotations

from datetime import datetime

from catalog import certification, freshness, scanner, sources
from catalog.search import index
from core.audit import SYSTEM
from core.errors import ConcordError
from core.runtime import Runtime
from jobs.registry import JobFailed, JobResult


def expire_certifications(runtime: Runtime, *, now: datetime) -> JobResult:
    """Flag datasets whose certification has expired."""
    with runtime.db.session(write=True) as session:
        expired = certification.expire_certifications(session, now)
    return JobResult({"expired": len(expired)}, f"{len(expired)} certifications expired")


def flag_stale_datasets(runtime: Runtime, *, now: datetime) -> JobResult:
    """Flag datasets not written within their expected update interval."""
    with runtime.db.session(write=True) as session:
        stale = freshness.flag_stale_datasets(session, now)
    return JobResult({"stale": len(stale)}, f"{len(stale)} datasets newly stale")


def refresh_search_signals(runtime: Runtime, *, now: datetime) -> JobResult:
    """Recompute popularity and freshness boosts of every search document (usage ages out)."""
    with runtime.db.session(write=True) as session:
        count = index.refresh_signals(session)
    return JobResult({"documents": count}, f"ranking signals refreshed for {count} datasets")


def scan_due_sources(runtime: Runtime, *, now: datetime) -> JobResult:
    """Scan every source whose scan interval has passed; one that cannot be read fails the run, by name,
    after the others were scanned."""
    with runtime.db.session() as session:
        due = sources.due_sources(session, now)
    counts = {"scanned": 0, "failed": 0, "tables": 0, "added": 0, "changed": 0, "dropped": 0}
    failures = []
    for name in due:
        try:
            with runtime.db.session(write=True) as session:
                result = scanner.scan_source(session, name=name, actor=SYSTEM, emitter=runtime.emitter)
        except ConcordError as exc:
            counts["failed"] += 1
            failures.append(f"{name}: {exc.message}")
            continue
        counts["scanned"] += 1
        counts["tables"] += result.tables
        for key in ("added", "changed", "dropped"):
            counts[key] += len(getattr(result, key))
    if failures:
        raise JobFailed("; ".join(failures), counts=counts)
    return JobResult(counts, f"scanned {counts['scanned']} sources ({counts['tables']} tables)")
