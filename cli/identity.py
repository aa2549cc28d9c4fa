"""`concord identity`: pull source databases, rebuild matching, import a crosswalk, report."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import CliContext, pass_cli, reports_errors
from core.audit import SYSTEM
from identity import quality, service
from identity.rules import load_rules
from identity.sources import pull_source


@click.group("identity")
def identity_group() -> None:
    """Customers: source records, match-and-merge, stable ids."""


@identity_group.command("pull")
@click.option("--source", "source", required=True, help="Source system name, e.g. crm.")
@click.option(
    "--url", required=True, help="SQLAlchemy URL of the source database (sqlite:///crm.db, postgresql://...)."
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML table mapping (default: packaged).",
)
@click.option("--batch-size", default=5000, show_default=True, help="Records per transaction.")
@pass_cli
@reports_errors
def pull(cli: CliContext, source: str, url: str, mapping: Path | None, batch_size: int) -> None:
    """Read a source system's customer table and upsert its records (idempotent)."""
    with cli.runtime.db.session(write=True) as session:
        result = pull_source(
            session, source_system=source, url=url, mapping=mapping, actor=SYSTEM, progress=True,
            batch_size=batch_size, emitter=cli.runtime.emitter,
        )  # fmt: skip
    cli.runtime.emitter.flush()
    click.echo(
        f"{result.source_system}: read {result.read}, inserted {result.inserted}, updated {result.updated}, "
        f"unchanged {result.unchanged}, stale {result.stale}, merged {result.merged}"
    )
    if result.rejected:
        click.echo(f"{len(result.rejected)} values left out (not valid):", err=True)
        for item in result.rejected[:10]:
            click.echo(f"  {item.source_key} {item.field}: {item.message}", err=True)


@identity_group.command("rebuild")
@click.option(
    "--rules", type=click.Path(dir_okay=False, path_type=Path), help="Activate these match rules first."
)
@pass_cli
@reports_errors
def rebuild(cli: CliContext, rules: Path | None) -> None:
    """Re-run match-and-merge over every source record; ids stay stable."""
    with cli.runtime.db.session(write=True) as session:
        result = service.rebuild(session, actor=SYSTEM, rules=load_rules(rules) if rules else None)
    click.echo(
        f"rules {result.rules_version}: {result.records} records, {result.customers} customers, "
        f"{result.links} links; merged {result.merged}, split off {result.split}, new {result.new_customers}"
    )


@identity_group.command("crosswalk")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_cli
@reports_errors
def crosswalk(cli: CliContext, file: Path) -> None:
    """Import an MDM crosswalk CSV (source_system,source_key,customer_id) instead of matching."""
    rows = service.parse_crosswalk_csv(file.read_text(encoding="utf-8"))
    with cli.runtime.db.session(write=True) as session:
        result = service.import_crosswalk(session, rows=rows, actor=SYSTEM)
    click.echo(
        f"{result.rows} rows: {result.assigned} records assigned, {result.pending} waiting for their record, "
        f"{result.unchanged} unchanged, {result.customers_created} customer ids created"
    )


@identity_group.command("report")
@click.option(
    "--truth",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="truth.csv to score against.",
)
@pass_cli
@reports_errors
def report(cli: CliContext, truth: Path | None) -> None:
    """Customers, records per system, duplicates merged; precision and recall with --truth."""
    truth_rows = quality.read_truth_csv(truth) if truth else None
    with cli.runtime.db.session() as session:
        summary = quality.report(session, truth_rows=truth_rows)
    click.echo(f"customers          {summary.customers}")
    click.echo(f"source records     {summary.source_records}")
    for system, count in summary.records_per_system.items():
        click.echo(f"  {system:<16} {count}")
    click.echo(f"duplicates merged  {summary.duplicates_merged}")
    click.echo(f"merged ids         {summary.merged_ids}")
    click.echo(f"rules              {summary.rules_version}")
    for rule, count in summary.links_per_rule.items():
        click.echo(f"  {rule:<44} {count} links")
    if summary.quality is not None:
        q = summary.quality
        click.echo(f"precision {q.precision:.4f}  recall {q.recall:.4f}  f1 {q.f1:.4f}")
        click.echo("  " + ", ".join(f"{k} {v}" for k, v in q.counts.items()))


COMMANDS = [identity_group]
