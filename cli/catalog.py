"""`concord catalog`: register and scan sources, search, import dbt artifacts, load metric packs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from tqdm import tqdm

from catalog import dbt, metrics, scanner, sources
from catalog.search import index
from catalog.search.service import search as run_search
from cli.context import CliContext, pass_cli, reports_errors
from core.audit import SYSTEM
from core.errors import InvalidInput


@click.group("catalog")
def catalog_group() -> None:
    """The data catalogue: sources, scans, search, dbt import, metric packs."""


@catalog_group.group("source")
def source_group() -> None:
    """Source systems the scanner reads."""


@source_group.command("add")
@click.argument("name")
@click.argument("url")
@click.option(
    "--password-env", help="Environment variable holding the password (keeps it out of the database)."
)
@click.option("--owner", help="Owning team or person, e.g. team:crm (becomes owner of scanned tables).")
@click.option("--description")
@click.option("--schema", "schemas", multiple=True, help="PostgreSQL schema to scan (repeat; default all).")
@click.option(
    "--sample-rows", default=100, show_default=True, help="Rows sampled per table for classification."
)
@click.option("--scan-every", type=int, help="Scan on a schedule, every N seconds.")
@click.option("--expect-update-every", type=int, help="Expected update interval of its tables, in seconds.")
@pass_cli
@reports_errors
def source_add(
    cli: CliContext,
    name,
    url,
    password_env,
    owner,
    description,
    schemas,
    sample_rows,
    scan_every,
    expect_update_every,
):
    """Register source NAME at SQLAlchemy URL (sqlite:///path/file.db or postgresql://user@host/db)."""
    with cli.runtime.db.session(write=True) as session:
        info = sources.register_source(
            session,
            name=name,
            url=url,
            password_env=password_env,
            owner=owner,
            description=description,
            schemas=list(schemas),
            sample_rows=sample_rows,
            scan_interval_seconds=scan_every,
            expected_update_seconds=expect_update_every,
            actor=SYSTEM,
        )
    click.echo(f"source {info.name} registered: {info.url} (namespace {info.namespace})")


@source_group.command("list")
@pass_cli
@reports_errors
def source_list(cli: CliContext) -> None:
    """List registered sources (passwords masked)."""
    with cli.runtime.db.session() as session:
        for s in sources.list_sources(session):
            last = f"last scan {s.last_scan_at:%Y-%m-%d %H:%M}" if s.last_scan_at else "never scanned"
            click.echo(f"{s.name:<16} {s.dialect:<10} {s.url}  ({last})")


@catalog_group.command("scan")
@click.argument("names", nargs=-1)
@click.option("--all", "scan_all", is_flag=True, help="Scan every registered source.")
@pass_cli
@reports_errors
def scan(cli: CliContext, names: tuple[str, ...], scan_all: bool) -> None:
    """Scan sources: tables, columns, row counts, samples, PII classes; each scan is all or nothing."""
    with cli.runtime.db.session(write=True) as session:
        targets = [s.name for s in sources.list_sources(session)] if scan_all else list(names)
        if not targets:
            raise InvalidInput("name a source to scan, or use --all", field="names")
        for name in targets:
            with tqdm(desc=f"scan {name}", unit="table", file=sys.stderr, leave=False) as bar:

                def progress(done: int, total: int, bar=bar) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                result = scanner.scan_source(
                    session, name=name, actor=SYSTEM, emitter=cli.runtime.emitter, progress=progress
                )
            click.echo(
                f"{name}: {result.tables} tables, {len(result.added)} added, {len(result.changed)} changed, "
                f"{len(result.dropped)} dropped, {result.unchanged} unchanged, {result.suggested_classes} new PII suggestions"
            )
    cli.runtime.emitter.flush()


@catalog_group.command("search")
@click.argument("query", default="")
@click.option("--source-system", multiple=True)
@click.option("--classification", multiple=True)
@click.option("--certification", multiple=True)
@click.option("--owner", multiple=True)
@click.option("--tag", multiple=True)
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@pass_cli
@reports_errors
def search(
    cli: CliContext, query, source_system, classification, certification, owner, tag, limit, as_json
) -> None:
    """Search the catalogue (certified, fresh and much-used datasets first)."""
    filters = {
        "source_system": source_system,
        "classification": classification,
        "certification": certification,
        "owner": owner,
        "tag": tag,
    }
    with cli.runtime.db.session() as session:
        result = run_search(
            session, q=query, filters={k: list(v) for k, v in filters.items() if v}, limit=limit
        )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "total": result.total,
                    "mode": result.mode,
                    "hits": [
                        {
                            "id": h.id,
                            "namespace": h.namespace,
                            "name": h.name,
                            "certification": h.certification,
                            "score": h.score,
                        }
                        for h in result.hits
                    ],
                },
                indent=2,
            )
        )
        return
    if result.corrected_query:
        click.echo(f"(showing results for: {result.corrected_query})")
    click.echo(f"{result.total} datasets")
    for h in result.hits:
        badge = {"certified": "[certified] ", "deprecated": "[deprecated] "}.get(h.certification, "")
        stale = " [stale]" if h.stale else ""
        click.echo(f"{badge}{h.name}  ({h.source_system or h.namespace}){stale}  {h.id}")


@catalog_group.command("import-dbt")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--catalog", "catalog_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--namespace", help="The warehouse's OpenLineage namespace, e.g. postgres://warehouse:5432.")
@pass_cli
@reports_errors
def import_dbt(cli: CliContext, manifest: Path, catalog_path: Path | None, namespace: str | None) -> None:
    """Import a dbt project's manifest.json (and catalog.json for column types and row counts)."""
    docs = {}
    for label, path in (("manifest", manifest), ("catalog", catalog_path)):
        if path is not None:
            try:
                docs[label] = json.loads(path.read_text())
            except (ValueError, UnicodeDecodeError) as exc:
                raise InvalidInput(f"{path} is not JSON: {exc}", field=label) from None
    with cli.runtime.db.session(write=True) as session:
        result = dbt.import_dbt(
            session, manifest=docs["manifest"], catalog=docs.get("catalog"), namespace=namespace, actor=SYSTEM
        )
    click.echo(
        f"{result.project}: {result.datasets} datasets ({result.created} new, {result.new_versions} new schema versions) "
        f"in {result.namespace}; {len(result.dependencies)} model dependencies"
    )


@catalog_group.command("load-metrics")
@click.argument("pack", default="customer360")
@pass_cli
@reports_errors
def load_metrics(cli: CliContext, pack: str) -> None:
    """Load a metric pack (shipped: customer360) or a pack YAML file."""
    with cli.runtime.db.session(write=True) as session:
        r = metrics.load_metric_pack(session, pack=pack, actor=SYSTEM)
    click.echo(
        f"{r.pack}: {r.metrics_created} metrics created, {r.metrics_updated} updated, {r.terms_created} terms created, "
        f"{r.links_added} links, {r.certified} certified"
    )


@catalog_group.command("rebuild-index")
@pass_cli
@reports_errors
def rebuild_index(cli: CliContext) -> None:
    """Rebuild the search index from the catalogue."""
    with (
        cli.runtime.db.session(write=True) as session,
        tqdm(desc="index", unit="dataset", file=sys.stderr, leave=False) as bar,
    ):
        count = index.rebuild_index(session, actor=SYSTEM, progress=bar.update)
    click.echo(f"search index rebuilt: {count} datasets")


COMMANDS = [catalog_group]
