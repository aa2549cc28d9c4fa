"""`concord sample generate` and `concord demo`: the sample company, loaded, with sign-ins and a token."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from cli.context import CliContext, pass_cli, reports_errors
from core import clock, migrate
from sample_data import Manifest, generate
from sample_data.demo import create_demo_token, ensure_demo_users
from sample_data.generator import MAX_CUSTOMERS, as_of_from_text, existing_sample
from sample_data.loaders import run_loaders

STALE_AFTER_DAYS = 25  # registry snapshots older than 31 days no longer count (reference-v1)

_customers = click.option(
    "--customers",
    default=100_000,
    show_default=True,
    type=click.IntRange(1, MAX_CUSTOMERS),
    help="How many people the company has (each in one to four source systems).",
)
_seed = click.option("--seed", default=7, show_default=True, type=click.IntRange(0), help="Random seed.")


@click.group()
def sample() -> None:
    """The generated sample company (five source systems, DNC registry, identity truth)."""


@sample.command("generate")
@_customers
@_seed
@click.option("--as-of", "as_of", default=None, help="Reference instant, ISO 8601 (default: now).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder [default: <instance>/sample].",
)
@pass_cli
@reports_errors
def sample_generate(cli: CliContext, customers: int, seed: int, as_of: str | None, out: Path | None) -> None:
    """Generate the sample company: SQLite databases per system, registry snapshot, truth, manifest."""
    folder = out or cli.settings.instance_path / "sample"
    when = as_of_from_text(as_of) if as_of else None
    manifest = generate(folder, customers=customers, seed=seed, as_of=when)
    _describe(manifest)


def _describe(manifest: Manifest) -> None:
    cases = manifest.cases
    click.echo(
        f"sample company in {manifest.root}: {manifest.customers:,} people, {cases['source_records']:,} "
        f"source records in 5 systems (seed {manifest.seed}, as of {manifest.as_of})"
    )
    for name in sorted(manifest.tables):
        click.echo(f"  {name:<28} {manifest.row_count(name):>10,} rows")
    click.echo(
        f"  registry snapshot            {manifest.registry['rows']:>10,} numbers ({manifest.registry['path']})"
    )


@click.command()
@_customers
@_seed
@click.option(
    "--fresh", is_flag=True, help="Generate the sample again even if one with this seed and size exists."
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Host `concord serve` will listen on (for the URL).",
)
@click.option(
    "--port", default=5000, show_default=True, type=int, help="Port `concord serve` will listen on."
)
@pass_cli
@reports_errors
def demo(cli: CliContext, customers: int, seed: int, fresh: bool, host: str, port: int) -> None:
    """Generate the sample company, load it, and create demo sign-ins and an admin API token."""
    runtime = cli.runtime
    if not migrate.is_current(runtime.db.engine):
        migrate.upgrade(runtime.db)
    folder = cli.settings.instance_path / "sample"
    manifest = None if fresh else existing_sample(folder, seed=seed, customers=customers)
    if manifest is not None:
        click.echo(
            f"sample company already in {folder} (seed {seed}, {customers:,} people, as of {manifest.as_of})"
        )
        age = clock.now() - clock.parse_instant(manifest.as_of)
        if age > timedelta(days=STALE_AFTER_DAYS):
            click.echo(
                f"note: it was made {age.days} days ago, so its DNC registry snapshot is getting old; "
                "`concord demo --fresh` makes it again relative to today"
            )
    else:
        manifest = generate(folder, customers=customers, seed=seed)
        _describe(manifest)
    loaded = 0
    for name, summary in run_loaders(runtime, manifest):
        click.echo(f"loaded {name}: {summary}")
        loaded += 1
    if not loaded:
        click.echo("no demo loaders are registered yet: the sample is generated but not loaded into Concord")
    with runtime.db.session(write=True) as session:
        sign_ins = ensure_demo_users(session)
    with runtime.db.session(write=True) as session:
        token = create_demo_token(session)
    click.echo("")
    click.echo("Concord demo ready")
    click.echo(f"  URL:        http://{host}:{port}/   (API docs: http://{host}:{port}/api/v1/docs)")
    click.echo(f"  API token:  {token.secret}")
    click.echo(f"              role admin, name {token.name}; shown once, only its hash is stored")
    if sign_ins.created:
        click.echo(f"  Sign-ins:   {', '.join(sign_ins.created)}  (username = role)")
        click.echo(f"  Password:   {sign_ins.password}   (the same for each; shown once)")
    if sign_ins.existing:
        click.echo(f"  Existing sign-ins kept, passwords unchanged: {', '.join(sign_ins.existing)}")


COMMANDS = [sample, demo]
