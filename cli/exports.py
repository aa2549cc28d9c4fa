"""`concord export SEGMENT`: a compliant list from a segment file; `concord exports list|status|recheck`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click
from tqdm import tqdm

from cli.consent import _instant, cli_actor
from cli.context import CliContext, pass_cli, reports_errors
from consent import export_job, export_reads, exports
from consent.segments import FORMATS, KINDS
from core.clock import iso


def _summary(info: exports.ExportInfo) -> str:
    lines = [
        f"export {info.id}: {info.state}; {info.rows_total} rows in, {info.output_rows} compliant, "
        f"{info.excluded_rows} excluded ({info.channel} / {info.purpose}, policy {info.policy_version})"
    ]
    for reason, count in sorted(info.excluded.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  excluded  {reason:<24} {count}")
    for reason, count in sorted(info.included.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  included  {reason:<24} {count}")
    if info.checksum:
        lines.append(f"  sha256 {info.checksum}; files kept until {iso(info.retention_expires_at)}")
    if info.message:
        lines.append(f"  {info.message}")
    return "\n".join(lines)


@click.command("export")
@click.argument("segment", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--channel", required=True, help="email, sms, voice, postal, paid_media (as the policy names them)."
)
@click.option(
    "--purpose", required=True, help="marketing, advertising, transactional ... (as the policy names them)."
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the compliant CSV here."
)
@click.option(
    "--exclusions", type=click.Path(dir_okay=False, path_type=Path), help="Write the exclusion report here."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: from the file name.")
@click.option("--column", help="The subject column when the file has several identifier columns.")
@click.option("--kind", type=click.Choice(KINDS), help="The kind of every subject in a generic column.")
@click.option(
    "--jurisdiction",
    multiple=True,
    help="Keep only these jurisdictions (repeatable; US matches US-CA; policy regions such as EU_EEA expand).",
)
@click.option("--campaign", default="", help="Campaign name recorded with the export.")
@pass_cli
@reports_errors
def export_command(cli: CliContext, segment: Path, channel, purpose, output, exclusions, fmt, column, kind,
                   jurisdiction, campaign) -> None:  # fmt: skip
    """Filter a segment (CSV, JSON Lines or JSON list) to the customers who may be contacted, with reasons."""
    db = cli.runtime.db
    submitted = exports.submit_export(
        db, source=segment, filename=segment.name, channel=channel, purpose=purpose, actor=cli_actor(),
        fmt=fmt, column=column, kind=kind, jurisdictions=list(jurisdiction), campaign=campaign,
    )  # fmt: skip
    with tqdm(total=submitted.rows_total, unit="rows", desc="exporting", file=sys.stderr) as bar:

        def progress(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        info = export_job.run_export(
            db, export_id=submitted.id, actor=cli_actor(), emitter=cli.runtime.emitter, progress=progress
        )
    cli.runtime.emitter.flush()
    with db.session() as session:
        for target, report in ((output, False), (exclusions, True)):
            if target is not None:
                with target.open("wb") as out:
                    for block in export_reads.open_download(session, export_id=info.id, report=report):
                        out.write(block)
    click.echo(_summary(info))
    if output is not None:
        click.echo(f"compliant list: {output}")


@click.group("exports")
def exports_group() -> None:
    """Past segment exports: list, status, re-check for late opt-outs."""


@exports_group.command("list")
@click.option("--limit", default=20, show_default=True)
@pass_cli
@reports_errors
def list_command(cli: CliContext, limit: int) -> None:
    """The newest exports first."""
    with cli.runtime.db.session() as session:
        found = exports.list_exports(session, limit=limit)
    if not found:
        click.echo("no exports yet; run `concord export --channel ... --purpose ... segment.csv`")
    for e in found:
        click.echo(
            f"{e.id}  {iso(e.requested_at)}  {e.state:<8} {e.channel}/{e.purpose}  "
            f"{e.rows_done}/{e.rows_total} rows  {e.output_rows} compliant  {e.requested_by}"
        )


@exports_group.command("status")
@click.argument("export_id")
@pass_cli
@reports_errors
def status_command(cli: CliContext, export_id: str) -> None:
    """One export's progress (rows done / total) and counts per reason."""
    info = exports.get(cli.runtime.db, export_id)
    click.echo(f"{info.rows_done}/{info.rows_total} rows ({info.percent:.0f}%)")
    click.echo(_summary(info))


@exports_group.command("recheck")
@click.argument("export_id")
@click.option("--at", callback=_instant, help="Check at this instant (default: now).")
@pass_cli
@reports_errors
def recheck_command(cli: CliContext, export_id: str, at) -> None:
    """The export's customers who may no longer be contacted (opted out after the export)."""
    with cli.runtime.db.session() as session:
        result = export_reads.recheck(session, export_id=export_id, at=at)
    click.echo(f"{len(result.no_longer_eligible)} of {result.checked} no longer eligible at {iso(result.at)}")
    width = shutil.get_terminal_size().columns
    for late in result.no_longer_eligible:
        click.echo(f"  {late['customer_id']}  {late['contact_point'] or '-'}  {late['reason']}"[:width])


COMMANDS = [export_command, exports_group]
