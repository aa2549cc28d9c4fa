"""`concord job list|run|history`: the scheduled jobs, run by hand with the same code the scheduler uses."""

from __future__ import annotations

import click

from cli.context import CliContext, pass_cli, reports_errors
from core import clock, leases
from core.clock import iso
from core.errors import InvalidInput
from jobs import JOBS, history
from jobs.history import FAILED, SKIPPED, JobRunInfo
from jobs.registry import find
from jobs.runner import lock_name, run_job

EXIT_FAILED, EXIT_SKIPPED = 1, 3


@click.group("job")
def job_group() -> None:
    """Scheduled jobs: list them with their last outcome, run one now, show past runs."""


@job_group.command("list")
@pass_cli
@reports_errors
def job_list(cli: CliContext) -> None:
    """Every job, its schedule, its last run and whether it is running now."""
    db = cli.runtime.db
    last = history.last_runs(db, [spec.name for spec in JOBS])
    running = {info.name: info for info in leases.list_leases(db, prefix="job:")}
    click.echo(f"scheduler leader: {_leader(db)}")
    for spec in JOBS:
        click.echo(f"{spec.name:<28} {spec.describe_trigger():<28} {spec.description}")
        now = running.get(lock_name(spec.name))
        if now is not None:
            click.echo(f"    running now on {now.host} pid {now.pid} since {iso(now.acquired_at)}")
        run = last.get(spec.name)
        click.echo(f"    last run: {_describe(run) if run else 'never'}")


@job_group.command("run")
@click.argument("name")
@click.option("--at", "at", help="Run as if it were this instant (ISO 8601), e.g. to re-evaluate expiries.")
@pass_cli
@reports_errors
def job_run(cli: CliContext, name: str, at: str | None) -> None:
    """Run job NAME now and wait for it. Exit 1 if it failed, 3 if it was already running elsewhere."""
    spec = find(JOBS, name)
    now = _parse_at(at) if at else clock.now()
    info = run_job(cli.runtime, spec, now=now, trigger="cli")
    cli.runtime.emitter.flush()
    click.echo(_describe(info))
    for key, value in info.counts.items():
        click.echo(f"    {key}: {value}")
    if info.outcome == FAILED:
        raise click.exceptions.Exit(EXIT_FAILED)
    if info.outcome == SKIPPED:
        raise click.exceptions.Exit(EXIT_SKIPPED)


@job_group.command("history")
@click.argument("name", required=False)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@pass_cli
@reports_errors
def job_history(cli: CliContext, name: str | None, limit: int) -> None:
    """Past runs, newest first (of one job when NAME is given)."""
    if name:
        find(JOBS, name)
    for run in history.recent_runs(cli.runtime.db, job=name, limit=limit):
        click.echo(f"{run.job:<28} {_describe(run)}")


def _leader(db) -> str:
    if db.dialect == "postgresql":
        holder = leases.advisory_holder(db, leases.LEADER_LOCK)
        return (
            f"{holder} (advisory lock)" if holder is not None else "none (no service with the scheduler runs)"
        )
    lease = leases.current(db, leases.LEADER_LOCK)
    if lease is None:
        return "none (no service with the scheduler runs)"
    return f"{lease.host} pid {lease.pid} (lease until {iso(lease.expires_at)})"


def _parse_at(text: str):
    try:
        return clock.parse_instant(text)
    except ValueError as exc:
        raise InvalidInput(f"--at {text!r} is not an ISO 8601 instant: {exc}", field="--at") from None


def _describe(run: JobRunInfo) -> str:
    took = f" in {run.seconds:.1f}s" if run.seconds is not None else ""
    text = f"{run.outcome} at {iso(run.started_at)}{took} ({run.trigger}, {run.host} pid {run.pid}, run {run.run_id})"
    return f"{text}: {run.message}" if run.message else text


COMMANDS = [job_group]
