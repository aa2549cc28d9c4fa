"""Pull consent-bearing tables from a source system's database through a declarative mapping."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from consent import lineage_refs, subjects, unify
from consent.ingest import IngestResult, ingest_events
from consent.models import PullStateRow
from consent.policies import active_policy
from consent.pull_mapping import RegistryMapping, Spec, TableMapping, mapping_for
from core import audit, clock
from core.audit import Actor
from core.dataset_names import table_ref
from core.errors import InvalidInput
from core.openlineage import Emitter


@dataclass
class PullResult:
    """What a pull read per table and what ingestion made of it."""

    source: str
    rows: dict[str, int] = field(default_factory=dict)
    ingest: IngestResult | None = None
    customers_added: int = 0
    pending: set[str] = field(default_factory=set)  # with unify_now=False: customers whose decisions are due


def source_engine(url: str) -> sa.Engine:
    """An engine for a source database URL (a bare path means a SQLite file)."""
    if "://" not in url:
        path = Path(url).expanduser()
        if not path.exists():
            raise InvalidInput(f"no database file at {path}", field="url")
        url = f"sqlite:///{path}"
    try:
        return sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise InvalidInput(f"cannot use {url!r} as a database URL: {exc}", field="url") from None


def pull(
    session: Session,
    *,
    source: str,
    url: str,
    actor: Actor,
    mapping_path: Path | None = None,
    emitter: Emitter | None = None,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
    unify_now: bool = True,
) -> PullResult:
    """Read every mapped table (only rows at or after each table's cursor unless `full`) and ingest them as one batch."""
    mapping = mapping_for(source, mapping_path)
    if mapping.registry is not None:
        return _pull_registry(session, mapping.name, mapping.registry, url, actor, emitter, unify_now)
    result = PullResult(source)
    people: list[str] = []
    events: list[dict] = []
    labels: list[str] = []
    cursors: dict[str, str | None] = {}
    engine = source_engine(url)
    try:
        with engine.connect() as conn:
            for table in mapping.tables:
                since = None if full else _cursor(session, source, table.table)
                rows, cursors[table.table] = _read(conn, table, since)
                lookups = _lookups(conn, table)
                for n, row in enumerate(rows):
                    event = _event(source, table, row, lookups)
                    events.append(event)
                    labels.append(f"{table.table}[{event.get('id') or event.get('source_key') or n}]")
                result.rows[table.table] = len(rows)
            if mapping.customers is not None:
                people = _people(conn, source, mapping.customers)
    except sa.exc.SQLAlchemyError as exc:
        raise InvalidInput(
            f"cannot read {source} at {url}: {exc.__class__.__name__}: {exc.orig if hasattr(exc, 'orig') else exc}",
            field="url",
        ) from None
    finally:
        engine.dispose()
    inputs = [table_ref(engine.url, t.table) for t in mapping.tables]
    if events:
        result.ingest = ingest_events(
            session,
            events=events,
            actor=actor,
            emitter=emitter,
            inputs=inputs,
            job=lineage_refs.pull_job(source),
            label=labels.__getitem__,
            progress=progress,
            commit=False,
            unify_now=unify_now,
        )
        result.pending = set(result.ingest.pending)
    now = clock.now()
    if people:
        missing = _people_without_decisions(session, people)
        result.customers_added = len(missing)
        if unify_now:
            unify.recompute(session, missing, policy=active_policy(session), now=now)
        else:
            result.pending |= set(missing)
    for table, cursor in cursors.items():
        state = session.get(PullStateRow, (source, table)) or PullStateRow(
            source=source, table_name=table, pulled_at=now
        )
        state.cursor = cursor or state.cursor
        state.rows += result.rows[table]
        state.pulled_at = now
        session.add(state)
    details = {"url": _safe_url(url), "rows": result.rows, "customers_added": result.customers_added}
    audit.record(session, actor, "consent.pull", "consent_source", source, details)
    session.commit()
    return result


def _people(conn, source: str, spec: tuple[str, str]) -> list[str]:
    """Every person's source key in the system's people table, as `system:key`."""
    table, key = spec
    query = sa.select(sa.column(key)).select_from(sa.table(table))
    return [f"{source}:{value}" for (value,) in conn.execute(query) if value is not None]


def _people_without_decisions(session: Session, keys: list[str]) -> list[str]:
    """The system's people (profiles came through identity) who have no unified decisions yet."""
    customers = {cid for ids in subjects.resolve(session, "source_key", keys).values() for cid in ids}
    return unify.without_rows(session, customers)


def _safe_url(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True) if "://" in url else url


def _cursor(session: Session, source: str, table: str) -> str | None:
    state = session.get(PullStateRow, (source, table))
    return state.cursor if state else None


def _read(conn, table: TableMapping, since: str | None) -> tuple[list[dict], str | None]:
    t = sa.table(table.table)
    query = sa.select(sa.text("*")).select_from(t)
    for column, value in table.filter.items():
        query = query.where(sa.column(column) == value)
    if table.cursor and since is not None:
        # >= rather than >: rows sharing the last instant are re-read and skipped as duplicates.
        query = query.where(sa.column(table.cursor) >= since)
    if table.cursor:
        query = query.order_by(sa.column(table.cursor))
    rows = [dict(r._mapping) for r in conn.execute(query)]
    top = (
        max((str(r[table.cursor]) for r in rows if r.get(table.cursor) is not None), default=since)
        if table.cursor
        else None
    )
    return rows, top


def _lookups(conn, table: TableMapping) -> dict[tuple, dict]:
    found = {}
    for spec in [*table.fields.values(), *table.evidence.values()]:
        if spec.kind == "lookup" and (spec.table, spec.on, spec.const) not in found:
            query = sa.select(sa.column(spec.on), sa.column(spec.const)).select_from(sa.table(spec.table))
            found[(spec.table, spec.on, spec.const)] = {row[0]: row[1] for row in conn.execute(query)}
    return found


def _value(spec: Spec, row: dict, lookups: dict, label: str) -> Any:
    if spec.kind == "const":
        return spec.const
    if spec.kind == "column":
        return row.get(spec.column)
    if spec.kind == "values":
        raw = row.get(spec.column)
        if raw is None or raw == "":
            return None
        if str(raw) not in spec.values:
            raise InvalidInput(
                f"{label}: {spec.column}={raw!r} has no translation in the mapping", field=label
            )
        return spec.values[str(raw)]
    if spec.kind == "by":
        column = spec.cases.get(str(row.get(spec.column)))
        return row.get(column) if column else None
    return lookups[(spec.table, spec.on, spec.const)].get(row.get(spec.column))


def _event(source: str, table: TableMapping, row: dict, lookups: dict) -> dict:
    label = table.table
    event: dict[str, Any] = {"type": table.type, "source": source}
    for name, spec in table.fields.items():
        value = _value(spec, row, lookups, label)
        if value is not None and value != "":
            event[name] = value
    if table.evidence:
        evidence = {k: _value(s, row, lookups, label) for k, s in table.evidence.items()}
        event["evidence"] = {k: v for k, v in evidence.items() if v is not None and v != ""}
    return event


def _pull_registry(
    session, source: str, spec: RegistryMapping, url: str, actor: Actor, emitter, unify_now: bool
) -> PullResult:
    path = Path(url.removeprefix("file://")).expanduser()
    match = spec.date_pattern.search(path.name)
    if match is None:
        raise InvalidInput(
            f"{path.name} does not match {spec.date_pattern.pattern}; name it like the registry does",
            field="url",
        )
    try:
        downloaded = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if spec.column not in (reader.fieldnames or []):
                raise InvalidInput(f"{path.name} has no column {spec.column!r}", field="url")
            numbers = [row[spec.column] for row in reader if row.get(spec.column)]
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read registry file {path}: {exc}", field="url") from None
    event = {
        "type": "dnc_registry_snapshot",
        "source": source,
        "id": path.name,
        "registry": spec.registry,
        "downloaded_at": downloaded.isoformat(),
        "listed_numbers": numbers,
    }
    result = PullResult(source, rows={path.name: len(numbers)})
    result.ingest = ingest_events(
        session,
        events=[event],
        actor=actor,
        emitter=emitter,
        inputs=[lineage_refs.source_dataset(source, path.name)],
        job=lineage_refs.pull_job(source),
        commit=False,
        unify_now=unify_now,
    )
    audit.record(
        session, actor, "consent.pull", "consent_source", source, {"file": path.name, "numbers": len(numbers)}
    )
    session.commit()
    return result
