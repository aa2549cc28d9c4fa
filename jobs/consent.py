"""Consent's scheduled tasks: decision refresh, feed folders, source pulls, suppression expiry, registry age."""

from __future__ import annotations

from datetime import datetime, timedelta

from consent import expiry, feed_folders, operations, pulls
from core import metrics
from core.errors import ConcordError
from core.runtime import Runtime
from jobs.registry import JOB_ACTOR, JobFailed, JobResult


def refresh_decisions(runtime: Runtime, *, now: datetime) -> JobResult:
    """Expiries, ended EBR / implied-consent windows, a registry turning stale: rewrite the rows they change."""
    with runtime.db.session(write=True) as session:
        stats = operations.refresh_due(session, actor=JOB_ACTOR, emitter=runtime.emitter, now=now)
    counts = {"customers": stats.customers, "decisions": stats.decisions}
    return JobResult(counts, f"refreshed {stats.decisions} decisions for {stats.customers} customers")


def ingest_feed_folders(runtime: Runtime, *, now: datetime) -> JobResult:
    """Ingest every new file in the feed folders; a refused file fails the run, by name, after the others."""
    scan = feed_folders.ingest_new_files(
        runtime.db, root=runtime.settings.feeds_path, actor=JOB_ACTOR, emitter=runtime.emitter
    )
    counts = {
        "files": len(scan.files),
        "ingested": scan.count(feed_folders.INGESTED),
        "duplicates": scan.count(feed_folders.DUPLICATE),
        "failed": scan.count(feed_folders.FAILED),
        "records": scan.records,
    }
    failed = [f"{f.source}/{f.name}: {f.error}" for f in scan.files if f.outcome == feed_folders.FAILED]
    if failed:
        raise JobFailed(f"moved to failed/: {'; '.join(failed)}", counts=counts)
    return JobResult(counts, f"{counts['ingested']} files ingested ({scan.records} records)")


def pull_sources(runtime: Runtime, *, now: datetime) -> JobResult:
    """Pull each configured source database (new rows since its cursor); one that fails is named after the others ran."""
    sources = runtime.settings.consent_pull_sources or {}
    counts = {"sources": 0, "failed": 0, "rows": 0, "stored": 0}
    failures = []
    for source, url in sources.items():
        try:
            with runtime.db.session(write=True) as session:
                result = pulls.pull(
                    session,
                    source=source,
                    url=url,
                    actor=JOB_ACTOR,
                    mapping_path=runtime.settings.consent_pull_mapping,
                    emitter=runtime.emitter,
                )
        except ConcordError as exc:
            counts["failed"] += 1
            failures.append(f"{source}: {exc.message}")
            continue
        counts["sources"] += 1
        counts["rows"] += sum(result.rows.values())
        counts["stored"] += sum(result.ingest.stored.values()) if result.ingest else 0
    if failures:
        raise JobFailed("; ".join(failures), counts=counts)
    if not sources:
        return JobResult(counts, "no sources configured (CONCORD_CONSENT_PULL_SOURCES)")
    return JobResult(
        counts, f"pulled {counts['sources']} sources: {counts['rows']} rows, {counts['stored']} new"
    )


def expire_suppressions(runtime: Runtime, *, now: datetime) -> JobResult:
    """Re-evaluate decisions made while a since-expired suppression entry (e.g. a hard bounce) still applied."""
    with runtime.db.session(write=True) as session:
        stats = expiry.reevaluate_expired_suppressions(
            session, actor=JOB_ACTOR, now=now, emitter=runtime.emitter
        )
    counts = {
        "expired_entries": stats.expired_entries,
        "customers": stats.customers,
        "decisions": stats.decisions,
    }
    return JobResult(counts, f"re-evaluated {stats.customers} customers after expired suppression entries")


def check_registry_age(runtime: Runtime, *, now: datetime) -> JobResult:
    """Fail (an alert) when a registry snapshot is past the warning age, stale, or missing; export its age."""
    warn_after = timedelta(days=runtime.settings.dnc_registry_warn_days)
    with runtime.db.session() as session:
        check = expiry.check_registry_age(session, now=now, warn_after=warn_after)
    for registry in check.registries:
        if registry.age_days is not None:
            metrics.set_registry_age(registry.registry, registry.age_days * 86400)
    counts = {state: check.count(state) for state in ("ok", "warning", "stale", "missing")}
    alerts = [r.message for r in check.registries if r.state != "ok"]
    if alerts:
        raise JobFailed("; ".join(alerts), counts=counts)
    return JobResult(counts, "; ".join(r.message for r in check.registries) or "no registry in the policy")
