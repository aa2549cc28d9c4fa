"""Scheduled jobs: plain task functions, their registry, the run history and the single-leader scheduler."""

from __future__ import annotations

from jobs import catalog_tasks, consent, exports, housekeeping, lineage_tasks
from jobs.registry import Cron, Every, JobSpec

# Every job the scheduler runs and `concord job run NAME` can run; a new job is one entry here.
JOBS: list[JobSpec] = [
    JobSpec(
        "audit.verify",
        housekeeping.verify_audit_chain,
        Cron("17 3 * * *"),
        "Recompute the audit log's hash chain; a broken chain fails the run and names each problem.",
    ),
    JobSpec(
        "jobs.history_retention",
        housekeeping.purge_job_history,
        Cron("43 3 * * *"),
        "Delete job run records older than CONCORD_JOB_HISTORY_DAYS (default 90).",
    ),
    JobSpec(
        "consent.refresh_decisions",
        consent.refresh_decisions,
        Every(minutes=15),
        "Re-evaluate unified consent decisions whose valid_until has passed (reads answer them live meanwhile).",
    ),
    JobSpec(
        "exports.retention",
        exports.purge_export_files,
        Cron("29 3 * * *"),
        "Delete segment export files older than CONCORD_EXPORT_RETENTION_DAYS (default 30); records stay.",
    ),
    JobSpec(
        "exports.interrupted",
        exports.fail_interrupted_exports,
        Every(minutes=5),
        "Fail exports whose process stopped mid-run (no heartbeat for 5 minutes), removing partial files.",
    ),
    JobSpec(
        "consent.feeds",
        consent.ingest_feed_folders,
        Every(minutes=1),
        "Ingest new files in the feed folders (<feeds>/<source>/*.csv|jsonl) once each; done/ or failed/.",
    ),
    JobSpec(
        "consent.pulls",
        consent.pull_sources,
        Every(minutes=15),
        "Pull new rows from the source databases in CONCORD_CONSENT_PULL_SOURCES.",
    ),
    JobSpec(
        "consent.suppression_expiry",
        consent.expire_suppressions,
        Every(hours=1),
        "Re-evaluate decisions made while a since-expired suppression entry (e.g. a hard bounce) applied.",
    ),
    JobSpec(
        "consent.dnc_registry_age",
        consent.check_registry_age,
        Cron("5 6 * * *"),
        "Fail (alert) when a do-not-call registry snapshot is past the warning age, stale (31 days) or missing.",
    ),
    JobSpec(
        "lineage.retention",
        lineage_tasks.purge_old_events,
        Cron("37 2 * * *"),
        "Purge raw OpenLineage events older than CONCORD_LINEAGE_RETENTION_DAYS (the graph is kept).",
    ),
    JobSpec(
        "catalog.scan",
        catalog_tasks.scan_due_sources,
        Every(minutes=10),
        "Scan the catalogue's sources whose scan interval has passed (all or nothing per source).",
    ),
    JobSpec(
        "catalog.certification_expiry",
        catalog_tasks.expire_certifications,
        Every(hours=1),
        "Flag datasets whose certification expired.",
    ),
    JobSpec(
        "catalog.freshness",
        catalog_tasks.flag_stale_datasets,
        Every(minutes=15),
        "Flag datasets not written within their expected update interval.",
    ),
    JobSpec(
        "catalog.search_signals",
        catalog_tasks.refresh_search_signals,
        Cron("7 4 * * *"),
        "Recompute search ranking boosts (popularity over 90 days, freshness).",
    ),
]
