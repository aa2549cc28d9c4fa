"""`concord backup` and `concord restore`: online SQLite backups; pg_dump / pg_restore on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import CliContext, pass_cli, reports_errors
from core import backup, backup_pg
from core.audit import SYSTEM

EXIT_MANUAL_STEP = 2


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
@pass_cli
@reports_errors
def backup_command(cli: CliContext, out: Path, overwrite: bool) -> None:
    """Back up the database to OUT while the service keeps running.

    SQLite: a consistent copy through SQLite's backup API. PostgreSQL: pg_dump in custom format (restore it
    with pg_restore); without pg_dump installed, prints the command and exits 2.
    """
    db = cli.runtime.db
    if db.dialect == "postgresql":
        written = backup_pg.run_dump(db, out, actor=SYSTEM, overwrite=overwrite)
        click.echo(
            f"pg_dump written to {written}; restore with: {backup_pg.restore_command(db, written).shown}"
        )
        return
    made = backup.backup_sqlite(db, out, actor=SYSTEM, overwrite=overwrite)
    click.echo(
        f"backup written to {made.path} ({made.size_bytes:,} bytes, schema {', '.join(made.revisions)}, "
        f"audit head #{made.audit_head_seq})"
    )


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Restore even though a service is running its scheduler.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_cli
@reports_errors
def restore_command(cli: CliContext, source: Path, force: bool, yes: bool) -> None:
    """Replace the SQLite database with the backup SOURCE, keeping the current one as `<db>.bak`.

    The file must be an intact Concord database at a schema revision this version knows. Refuses while a
    service runs the scheduler unless --force. PostgreSQL: prints the pg_restore command and exits 2.
    """
    db = cli.runtime.db
    if db.dialect == "postgresql":
        command = backup_pg.restore_command(db, source)
        click.echo("Restoring replaces the shared PostgreSQL database: stop every Concord instance, then run")
        click.echo(f"    {command.shown}")
        click.echo("and `concord init` to bring the schema up to date.")
        raise click.exceptions.Exit(EXIT_MANUAL_STEP)
    checked = backup.inspect_file(source)
    click.echo(
        f"{checked.path}: Concord database, schema {', '.join(checked.revisions)}, audit head #{checked.audit_head_seq}"
    )
    if not yes:
        click.confirm(f"Replace {backup.sqlite_path(db)} with it?", abort=True)
    done = backup.restore_sqlite(db, source, actor=SYSTEM, force=force)
    if done.previous_saved_as:
        click.echo(f"previous database kept as {done.previous_saved_as}")
    click.echo(f"restored from {done.restored.path}")
    if not done.current:
        click.echo("the restored schema is older than this version's: run `concord init` to upgrade it")


COMMANDS = [backup_command, restore_command]
