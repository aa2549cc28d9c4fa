"""Scheduled jobs: plain task functions, their registry, the run history and the single-leader scheduler."""

from __future__ import annotations

from jobs import catalog_tasks, consent, housekeeping
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
