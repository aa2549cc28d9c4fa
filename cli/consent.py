"""`concord consent ...`: ingest files, pull source databases, rebuild, decide, manage policy versions."""

from __future__ import annotations

import getpass
import sys
from dataclasses import asdict
from pathlib import Path

import click
import orjson
from tqdm import tqdm

from cli.context import CliContext, pass_cli, reports_errors
from consent import decisions, feed_folders, feeds, operations, policies, pulls
from consent.ingest import retrying
from core.audit import Actor
from core.clock import iso, parse_instant


def cli_actor() -> Actor:
    """The operator running the command, as written in the audit log."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "operator"
    return Actor(name=user, role="admin", kind="cli")


def _instant(_ctx, param, value):
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 instant such as 2025-03-01T12:00:00Z"
        ) from None


def _counts(result) -> str:
    stored = ", ".join(f"{k} {v}" for k, v in sorted(result.stored.items()) if v) or "nothing new"
    dupes = sum(result.duplicates.values())
    return (
        f"stored: {stored}; duplicates: {dupes}; decisions recomputed for {result.customers_recomputed} "
        f"customers ({result.decisions_written} rows)"
    )


@click.group("consent")
def consent_group() -> None:
    """Unified consent and do-not-contact: ingestion, decisions, policies."""


@consent_group.command("ingest")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(feeds.FORMATS), help="Default: from the file name.")
@click.option("--source", help="Source system for rows that do not name one.")
@pass_cli
@reports_errors
def ingest_file(cli: CliContext, file: Path, fmt: str | None, source: str | None) -> None:
    """Ingest a CSV or JSON Lines file of events (all-or-nothing; errors name the line)."""
    fmt = feeds.detect_format(file.name, fmt)
    feed = feeds.read_feed(file, fmt=fmt, source=source)
    with (
        tqdm(total=len(feed.events), unit="events", desc="validating", file=sys.stderr) as bar,
        cli.runtime.db.session(write=True) as session,
    ):
        result = retrying(
            session,
            lambda: feeds.ingest_feed(
                session,
                feed=feed,
                name=file.name,
                actor=cli_actor(),
                emitter=cli.runtime.emitter,
                progress=bar.update,
            ),
        )
    click.echo(f"{file.name}: {len(feed.events)} events; {_counts(result)}")


@consent_group.command("feeds")
@pass_cli
@reports_errors
def feeds_now(cli: CliContext) -> None:
    """Ingest the new files waiting in the feed folders now (what the consent.feeds job does)."""
    root = cli.runtime.settings.feeds_path
    waiting = feed_folders.pending_files(root)
    bar = tqdm(unit="events", desc=f"{len(waiting)} files", file=sys.stderr)

    def step(name: str, n: int) -> None:
        bar.set_description(name, refresh=False)
        bar.update(n)

    with bar:
        scan = feed_folders.ingest_new_files(
            cli.runtime.db, root=root, actor=cli_actor(), emitter=cli.runtime.emitter, progress=step
        )
    cli.runtime.emitter.flush()
    for f in scan.files:
        detail = f"{f.records} records" if f.outcome == feed_folders.INGESTED else f.error
        click.echo(f"{f.source}/{f.name}: {f.outcome}{' - ' + detail if detail else ''}")
    click.echo(f"{len(scan.files)} files in {root}; {scan.count(feed_folders.INGESTED)} ingested")
    if scan.count(feed_folders.FAILED):
        raise click.ClickException(
            "some files were refused: see failed/<name>.error.txt, fix them and drop them again"
        )


@consent_group.command("pull")
@click.option(
    "--source", required=True, help="Source system named in the mapping (crm, marketing, registry...)."
)
@click.option("--url", required=True, help="Database URL or SQLite file (a CSV file for a registry source).")
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Mapping YAML (default: the sample company's).",
)
@click.option("--full", is_flag=True, help="Read every row again instead of only rows after the last pull.")
@pass_cli
@reports_errors
def pull(cli: CliContext, source: str, url: str, mapping: Path | None, full: bool) -> None:
    """Pull a source system's consent-bearing tables through the mapping and ingest them as one batch."""
    bar = tqdm(unit="events", desc=f"pulling {source}", file=sys.stderr)
    with bar, cli.runtime.db.session(write=True) as session:
        result = pulls.pull(
            session,
            source=source,
            url=url,
            actor=cli_actor(),
            mapping_path=mapping,
            emitter=cli.runtime.emitter,
            full=full,
            progress=bar.update,
        )
    for table, rows in result.rows.items():
        click.echo(f"  {table}: {rows} rows")
    click.echo(f"{source}: {_counts(result.ingest) if result.ingest else 'nothing new'}")
    if result.customers_added:
        click.echo(f"{result.customers_added} more {source} customers now have unified decisions")


@consent_group.command("rebuild")
@pass_cli
@reports_errors
def rebuild(cli: CliContext) -> None:
    """Recompute every unified decision from the facts under the active policy."""
    bar = tqdm(unit="customers", desc="unifying", file=sys.stderr)
    with bar, cli.runtime.db.session(write=True) as session:
        stats = operations.rebuild(
            session, actor=cli_actor(), emitter=cli.runtime.emitter, progress=bar.update
        )
    click.echo(f"rebuilt {stats.decisions} decisions for {stats.customers} customers")


@consent_group.command("refresh")
@pass_cli
@reports_errors
def refresh(cli: CliContext) -> None:
    """Re-evaluate decisions whose validity has lapsed (an expiry, a window end, a stale registry)."""
    with cli.runtime.db.session(write=True) as session:
        stats = operations.refresh_due(session, actor=cli_actor(), emitter=cli.runtime.emitter)
    click.echo(f"refreshed {stats.decisions} decisions for {stats.customers} customers")


@consent_group.command("decision")
@click.option("--customer", required=True)
@click.option("--channel", required=True)
@click.option("--purpose", required=True)
@click.option("--contact-point")
@click.option("--at", callback=_instant, help="Decide as of this instant (facts captured up to it).")
@click.option("--known-at", callback=_instant, help="And only facts received by this instant.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole decision as JSON.")
@pass_cli
@reports_errors
def decision(cli: CliContext, customer, channel, purpose, contact_point, at, known_at, as_json) -> None:
    """Explain one decision: allowed or not, why, and every record considered."""
    with cli.runtime.db.session() as session:
        d = decisions.decision_for(
            session,
            customer=customer,
            channel=channel,
            purpose=purpose,
            contact_point=contact_point,
            at=at,
            known_at=known_at,
        )
    if as_json:
        click.echo(orjson.dumps(asdict(d), option=orjson.OPT_INDENT_2, default=str).decode())
        return
    verdict = "ALLOWED" if d.allowed else "DENIED"
    click.echo(
        f"{verdict} ({d.reason}) {channel}.{purpose} to {d.contact_point or '-'} for {d.customer_id or customer}"
    )
    click.echo(
        f"policy {d.policy_version} as of {iso(d.as_of)}; holds until {iso(d.valid_until) or 'a new fact'}"
    )
    if d.decided_by:
        by = d.decided_by
        click.echo(
            f"decided by {by.kind} {by.id} from {by.source}, captured {iso(by.captured_at)} ({by.method or '-'})"
        )
    for c in d.considered:
        click.echo(f"  - {c.kind} {c.id} [{c.source or 'policy'}] {c.slot or ''}: {c.effect}")


@consent_group.group("policy")
def policy_group() -> None:
    """Policy versions: list, show, upload, dry-run, activate."""


@policy_group.command("list")
@pass_cli
@reports_errors
def policy_list(cli: CliContext) -> None:
    """List versions; the active one is starred."""
    with cli.runtime.db.session() as session:
        for v in policies.list_versions(session):
            when = iso(v.uploaded_at) or "built in"
            click.echo(
                f"{'*' if v.active else ' '} {v.version:<24} {v.checksum[:12]}  {when}  {v.uploaded_by}"
            )


@policy_group.command("show")
@click.argument("version")
@pass_cli
@reports_errors
def policy_show(cli: CliContext, version: str) -> None:
    """Print a version's YAML."""
    with cli.runtime.db.session() as session:
        click.echo(policies.get_version(session, version=version).text, nl=False)


@policy_group.command("upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_cli
@reports_errors
def policy_upload(cli: CliContext, file: Path) -> None:
    """Validate and store a policy file as a new (inactive) version."""
    with cli.runtime.db.session(write=True) as session:
        v = policies.upload_policy(session, text=file.read_text(), actor=cli_actor())
    click.echo(f"stored {v.version} ({v.checksum[:12]}); dry-run it, then activate it")


@policy_group.command("dry-run")
@click.argument("version", required=False)
@click.option(
    "--file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A policy file not stored."
)
@pass_cli
@reports_errors
def policy_dry_run(cli: CliContext, version: str | None, file: Path | None) -> None:
    """Show how many current decisions a version (or file) would change, from what to what."""
    if (version is None) == (file is None):
        raise click.UsageError("give a stored VERSION or --file")
    with cli.runtime.db.session() as session:
        result = operations.dry_run(session, version=version, text=file.read_text() if file else None)
    click.echo(
        f"{result.candidate} vs active {result.active}: {result.changed} of {result.decisions} decisions "
        f"for {result.customers} customers would change"
    )
    for (before, after), n in result.transitions.most_common():
        click.echo(f"  {n:>8}  {_state(before)} -> {_state(after)}")
    for s in result.sample[:10]:
        click.echo(
            f"  e.g. {s['customer_id']} {s['channel']}.{s['purpose']} {s['contact_point'] or ''}: "
            f"{_state(s['before'])} -> {_state(s['after'])}"
        )


def _state(value) -> str:
    return "-" if value is None else f"{'allowed' if value[0] else 'denied'}:{value[1]}"


@policy_group.command("activate")
@click.argument("version")
@pass_cli
@reports_errors
def policy_activate(cli: CliContext, version: str) -> None:
    """Make a version active and re-evaluate every decision under it."""
    with cli.runtime.db.session(write=True) as session:
        previous, stats = operations.activate(
            session, version=version, actor=cli_actor(), emitter=cli.runtime.emitter
        )
    click.echo(f"{version} is active (was {previous}); {stats.decisions} decisions re-evaluated")


COMMANDS = [consent_group]
