"""`concord lineage ...`: ingest event files, rebuild the graph, purge old raw events, print a graph."""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import orjson
from tqdm import tqdm

import lineage
from cli.context import CliContext, pass_cli, reports_errors
from core.clock import parse_instant
from lineage.pipeline import INTERNAL

CHUNK = 500


def read_events(path: Path) -> list[Any]:
    """Events from a file: one JSON event, a JSON array, `{"events": [...]}`, a JSON object of events, or JSON Lines."""
    data = path.read_bytes()
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        lines = [line for line in data.splitlines() if line.strip()]
        try:
            return [orjson.loads(line) for line in lines]
        except orjson.JSONDecodeError as exc:
            raise click.ClickException(f"{path}: neither JSON nor JSON Lines ({exc})") from None
    if isinstance(parsed, list):
        return parsed
    if isinstance(parsed, dict) and isinstance(parsed.get("events"), list):
        return parsed["events"]
    if (
        isinstance(parsed, dict)
        and parsed
        and all(isinstance(v, dict) and "eventTime" in v for v in parsed.values())
    ):
        return list(parsed.values())
    return [parsed]


@click.group("lineage")
def lineage_group() -> None:
    """OpenLineage events and the lineage graph."""


@lineage_group.command("ingest")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@pass_cli
@reports_errors
def ingest(cli: CliContext, files: tuple[Path, ...]) -> None:
    """Store and derive the events in FILES (JSON, JSON array or JSON Lines); rejected ones are listed."""
    totals = {"stored": 0, "duplicate": 0, "rejected": 0}
    problems: list[str] = []
    for path in files:
        events = read_events(path)
        with tqdm(total=len(events), desc=path.name, unit="event", file=sys.stderr) as bar:
            for start in range(0, len(events), CHUNK):
                chunk = events[start : start + CHUNK]
                with cli.runtime.db.session(write=True) as session:
                    result = lineage.ingest_batch(session, events=chunk, actor=INTERNAL)
                for item in result.items:
                    totals[item.status] += 1
                    if item.error:
                        field = (
                            str(item.error.get("field") or "")
                            .replace(f"events[{item.index}]", "", 1)
                            .lstrip(".")
                        )
                        problems.append(
                            f"{path}: event {start + item.index + 1}: {field}: {item.error['message']}"
                        )
                bar.update(len(chunk))
    click.echo(f"stored {totals['stored']}, duplicates {totals['duplicate']}, rejected {totals['rejected']}")
    for problem in problems[:50]:
        click.echo(f"REJECTED {problem}", err=True)
    if problems:
        raise click.exceptions.Exit(1)


@lineage_group.command("rebuild")
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Rebuild even though raw events were purged (loses what only they said).",
)
@pass_cli
@reports_errors
def rebuild(cli: CliContext, allow_partial: bool) -> None:
    """Re-derive the whole graph from the raw event log."""
    with cli.runtime.db.session(write=True) as session:
        total = lineage.event_page(session, limit=1).total_count
        with tqdm(total=total, desc="rebuild", unit="event", file=sys.stderr) as bar:
            result = lineage.rebuild(
                session, actor=INTERNAL, allow_partial=allow_partial, progress=bar.update
            )
    click.echo(f"replayed {result.replayed} events")
    for seq, reason in result.skipped[:50]:
        click.echo(f"SKIPPED event #{seq}: {reason}", err=True)


@lineage_group.command("purge")
@click.option("--older-than", "days", required=True, type=click.IntRange(min=1), help="Age in days.")
@pass_cli
@reports_errors
def purge(cli: CliContext, days: int) -> None:
    """Delete raw events stored more than DAYS days ago; the graph stays."""
    with cli.runtime.db.session(write=True) as session:
        result = lineage.purge_events(session, older_than=timedelta(days=days), actor=INTERNAL)
    click.echo(f"purged {result.deleted} raw events stored before {result.cutoff:%Y-%m-%d %H:%M}Z")


@lineage_group.command("derive")
@click.option("--follow", is_flag=True, help="Keep deriving as events arrive, until interrupted.")
@click.option(
    "--interval",
    default=0.2,
    show_default=True,
    type=click.FloatRange(min=0.01),
    help="Seconds between polls.",
)
@pass_cli
@reports_errors
def derive(cli: CliContext, follow: bool, interval: float) -> None:
    """Derive events still queued (the web service does it unless CONCORD_LINEAGE_DERIVE_IN_WEB=false)."""
    derived = lineage.drain(cli.runtime.db)
    try:
        while follow:
            time.sleep(interval)
            derived += lineage.drain(cli.runtime.db, gentle=True)
    except KeyboardInterrupt:
        pass
    with cli.runtime.db.session() as session:
        status = lineage.pending_status(session)
    click.echo(f"derived {derived} queued events; {status.failed} set aside")
    for seq, error in status.errors:
        click.echo(f"FAILED event #{seq}: {error}", err=True)


@lineage_group.command("graph")
@click.argument("node_id")
@click.option(
    "--depth", type=click.IntRange(min=0), default=None, help="Jobs away from the node (default 20)."
)
@click.option(
    "--direction", type=click.Choice(["upstream", "downstream", "both"]), default="both", show_default=True
)
@click.option("--as-of", "as_of", default=None, help="The graph as it was at this instant (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="Print the Marquez-shaped JSON.")
@pass_cli
@reports_errors
def graph(
    cli: CliContext, node_id: str, depth: int | None, direction: str, as_of: str | None, as_json: bool
) -> None:
    """Print the lineage graph around NODE_ID (dataset:NS:NAME or job:NS:NAME)."""
    try:
        at = parse_instant(as_of) if as_of else None
    except ValueError:
        raise click.BadParameter("not an ISO 8601 instant", param_hint="--as-of") from None
    with cli.runtime.db.session() as session:
        result = lineage.lineage_graph(session, node_id=node_id, depth=depth, direction=direction, as_of=at)
    if as_json:
        click.echo(orjson.dumps(_as_dict(result), option=orjson.OPT_INDENT_2).decode())
        return
    for node in result.graph:
        marker = "*" if node.id == result.node_id else " "
        click.echo(f"{marker} {node.type:<7} {node.id}")
        for edge in node.out_edges:
            click.echo(f"            -> {edge['destination']}")
    if result.truncated:
        click.echo(f"(truncated: {result.truncated_reason})", err=True)


def _as_dict(result: lineage.Graph) -> dict[str, Any]:
    return {
        "graph": [
            {"id": n.id, "type": n.type, "data": n.data, "inEdges": n.in_edges, "outEdges": n.out_edges}
            for n in result.graph
        ],
        "truncated": result.truncated,
        "truncatedReason": result.truncated_reason,
    }


COMMANDS = [lineage_group]
