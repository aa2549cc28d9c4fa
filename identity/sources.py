"""Pulling customer records from a source system's database through a declarative table mapping."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import Session
from tqdm import tqdm

from core import audit
from core.audit import Actor
from core.dataset_names import table_ref
from core.errors import InvalidInput, Unavailable
from core.openlineage import NULL_EMITTER, DatasetRef, Emitter
from identity.domain import Rejected, SourceRecordIn
from identity.ingest import upsert_source_records
from identity.records import check_system

PACKAGED_MAPPINGS = Path(__file__).resolve().parent / "source_mappings.yaml"
SCALAR_FIELDS = ("first_name", "last_name", "full_name", "street", "city", "postal_code", "region",
                 "country", "jurisdiction", "observed_at")  # fmt: skip
LIST_FIELDS = ("emails", "phones")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


@dataclass(frozen=True)
class SourceMapping:
    """One source table: where it is, which column is the key, and column(s) per SourceRecordIn field."""

    table: str
    key: str
    fields: dict[str, Any]
    schema: str | None = None

    def columns(self) -> list[str]:
        """Every column the mapping reads, key first."""
        out = [self.key]
        for value in self.fields.values():
            out.extend(value if isinstance(value, list) else [value])
        return list(dict.fromkeys(out))


@dataclass
class PullResult:
    """What a pull read and changed; `rejected` lists values left out (bad email, phone...)."""

    source_system: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    merged: int = 0
    new_customers: int = 0
    batches: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def parse_mapping(document: Any, where: str = "mapping") -> SourceMapping:
    """Validate one system's mapping (a dict as in source_mappings.yaml); InvalidInput names the field."""
    if not isinstance(document, dict):
        raise InvalidInput("a mapping has table, key and fields", field=where)
    for name in ("table", "key"):
        if not isinstance(document.get(name), str) or not _IDENT.match(document[name]):
            raise InvalidInput(f"`{name}` must be a plain table/column name", field=f"{where}.{name}")
    schema = document.get("schema")
    if schema is not None and (not isinstance(schema, str) or not _IDENT.match(schema)):
        raise InvalidInput("`schema` must be a plain schema name", field=f"{where}.schema")
    fields = document.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise InvalidInput("`fields` maps SourceRecordIn fields to columns", field=f"{where}.fields")
    for name, column in fields.items():
        columns = column if name in LIST_FIELDS and isinstance(column, list) else [column]
        if name not in SCALAR_FIELDS + LIST_FIELDS:
            raise InvalidInput(f"unknown field {name!r}", field=f"{where}.fields.{name}")
        if not all(isinstance(c, str) and _IDENT.match(c) for c in columns):
            raise InvalidInput("columns are plain column names", field=f"{where}.fields.{name}")
    return SourceMapping(table=document["table"], key=document["key"], fields=dict(fields), schema=schema)


def load_mapping(
    source_system: str, mapping: SourceMapping | dict | str | Path | None = None
) -> SourceMapping:
    """The mapping for `source_system` from a SourceMapping, a dict, a YAML file, or the packaged file."""
    if isinstance(mapping, SourceMapping):
        return mapping
    if isinstance(mapping, dict) and "table" in mapping:
        return parse_mapping(mapping)
    document = mapping if isinstance(mapping, dict) else _read_yaml(Path(mapping or PACKAGED_MAPPINGS))
    systems = document.get("systems", document) if isinstance(document, dict) else None
    if not isinstance(systems, dict) or source_system not in systems:
        known = ", ".join(sorted(systems)) if isinstance(systems, dict) else "none"
        raise InvalidInput(f"the mapping has no system {source_system!r} (it has: {known})", field="source")
    return parse_mapping(systems[source_system], f"systems.{source_system}")


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise InvalidInput(f"mapping file {path} does not exist", field="mapping")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InvalidInput(f"mapping file {path} is not valid YAML: {exc}", field="mapping") from None


def _engine(url: str) -> sa.Engine:
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]  # the driver Concord ships with
    try:
        parsed = sa.make_url(url)
        if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
            # SQLite would silently create an empty file; a missing source is an error.
            raise InvalidInput(f"source database file {parsed.database!r} does not exist", field="url")
        return sa.create_engine(parsed)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise InvalidInput(f"source URL is not a usable SQLAlchemy URL: {exc}", field="url") from None


def _table(engine: sa.Engine, mapping: SourceMapping) -> sa.Table:
    try:
        available = {c["name"] for c in sa.inspect(engine).get_columns(mapping.table, schema=mapping.schema)}
    except sa.exc.NoSuchTableError:
        raise InvalidInput(f"the source has no table {mapping.table!r}", field="mapping.table") from None
    except SQLAlchemyError as exc:
        raise Unavailable(f"cannot read the source database: {exc}") from None
    missing = [c for c in mapping.columns() if c not in available]
    if missing:
        raise InvalidInput(
            f"table {mapping.table} has no column(s) {', '.join(missing)}", field="mapping.fields"
        )
    return sa.Table(
        mapping.table, sa.MetaData(), *(sa.Column(c) for c in mapping.columns()), schema=mapping.schema
    )


def to_record(source_system: str, mapping: SourceMapping, row: Any) -> SourceRecordIn:
    """One source row as a SourceRecordIn."""
    values: dict[str, Any] = {}
    for name, column in mapping.fields.items():
        if name in LIST_FIELDS:
            columns = column if isinstance(column, list) else [column]
            values[name] = tuple(str(row[c]) for c in columns if row[c] not in (None, ""))
        else:
            value = row[column]
            values[name] = value if value is None or name == "observed_at" else str(value)
    return SourceRecordIn(source_system=source_system, source_key=str(row[mapping.key]), **values)


def _batches(engine: sa.Engine, table: sa.Table, mapping: SourceMapping, size: int) -> Iterator[list[Any]]:
    query = sa.select(table).order_by(table.c[mapping.key])
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=size).execute(query)
        for partition in result.mappings().partitions(size):
            yield list(partition)


def pull_source(
    session: Session,
    *,
    source_system: str,
    url: str,
    mapping: SourceMapping | dict | str | Path | None = None,
    actor: Actor,
    progress: bool | Callable[[int], Any] | None = None,
    batch_size: int = 5000,
    emitter: Emitter = NULL_EMITTER,
) -> PullResult:
    """Read every row of the mapped table at `url` and upsert it (batches commit as they go; re-runs are idempotent).

    Values a source holds that are not valid (an unparseable phone) are left out and listed in
    `rejected`; the rest of the record loads. `progress=True` shows a tqdm bar on stderr.
    """
    source_system = check_system(source_system, "source")
    spec = load_mapping(source_system, mapping)
    engine = _engine(url)
    result = PullResult(source_system=source_system)
    try:
        table = _table(engine, spec)
        total = _count(engine, table)
        name = f"{spec.schema}.{spec.table}" if spec.schema else spec.table
        source = table_ref(engine.url, name)
        target = DatasetRef(emitter.namespace, "identity.source_records")
        bar = (
            tqdm(total=total, desc=f"pull {source_system}", unit="rec", file=sys.stderr)
            if progress is True
            else None
        )
        with emitter.run(f"identity.pull.{source_system}", inputs=[source], outputs=[target]) as run:
            for rows in _batches(engine, table, spec, batch_size):
                _load(session, source_system, spec, rows, actor, result)
                if bar is not None:
                    bar.update(len(rows))
                elif callable(progress):
                    progress(len(rows))
            run.count(target, result.inserted + result.updated)
        if bar is not None:
            bar.close()
    except SQLAlchemyError as exc:
        session.rollback()
        raise Unavailable(f"reading {source_system} failed: {exc}") from None
    finally:
        engine.dispose()
    audit.record(session, actor, "identity.pull", "source_system", source_system,
                 {"read": result.read, "inserted": result.inserted, "updated": result.updated,
                  "rejected": len(result.rejected), "url": engine.url.render_as_string(hide_password=True)})  # fmt: skip
    session.commit()
    return result


def _count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _load(
    session: Session, system: str, spec: SourceMapping, rows: list[Any], actor: Actor, result: PullResult
) -> None:
    records = [to_record(system, spec, row) for row in rows]
    batch = upsert_source_records(session, records=records, actor=actor, on_invalid="drop")
    result.read += len(records)
    result.batches += 1
    for name in ("inserted", "updated", "unchanged", "stale", "merged", "new_customers"):
        setattr(result, name, getattr(result, name) + getattr(batch, name))
    offset = result.read - len(records)
    for r in batch.rejected:
        # Batch-relative `records[i].field` becomes the row number within the whole pull.
        rest = r.field.split("]", 1)[1] if "]" in r.field else ""
        result.rejected.append(
            Rejected(r.index + offset, r.source_key, f"rows[{r.index + offset}]{rest}", r.message)
        )
