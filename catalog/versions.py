"""Schema versions: a change in columns (names, types, order) makes a new version with its differences."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import orjson
from sqlmodel import Session, select

from catalog.models import CatalogColumn, CatalogDataset, CatalogSchemaVersion
from catalog.results import ColumnSpec, SchemaVersionInfo
from core import clock
from core.errors import InvalidInput, NotFound

STEWARD = "steward"
MAX_COLUMNS = 5000


def validate_columns(columns: Sequence[ColumnSpec], field: str = "columns") -> list[ColumnSpec]:
    """Columns with names checked (non-empty, unique) and ordinals filled in by position when missing."""
    if len(columns) > MAX_COLUMNS:
        raise InvalidInput(f"a dataset may have at most {MAX_COLUMNS} columns", field=field)
    seen: set[str] = set()
    out = []
    for i, col in enumerate(columns):
        name = (col.name or "").strip() if isinstance(col.name, str) else ""
        if not name or len(name) > 300:
            raise InvalidInput("a column needs a name of 1 to 300 characters", field=f"{field}[{i}].name")
        if name in seen:
            raise InvalidInput(f"column {name!r} appears twice", field=f"{field}[{i}].name")
        seen.add(name)
        ctype = col.type.strip()[:200] if isinstance(col.type, str) and col.type.strip() else None
        ordinal = col.ordinal if isinstance(col.ordinal, int) and col.ordinal > 0 else i + 1
        out.append(ColumnSpec(name=name, type=ctype, description=col.description, ordinal=ordinal))
    return sorted(out, key=lambda c: (c.ordinal, c.name))


def _norm_type(value: str | None) -> str:
    return " ".join((value or "").upper().split())


def fingerprint(columns: Sequence[dict]) -> str:
    """SHA-256 over the ordered (name, type) pairs: descriptions never make a new version."""
    pairs = [[c["name"], _norm_type(c.get("type"))] for c in sorted(columns, key=lambda c: c["ordinal"])]
    return hashlib.sha256(orjson.dumps(pairs)).hexdigest()


def diff(old: Sequence[dict], new: Sequence[dict]) -> dict:
    """Added, removed and type-changed columns, and whether the common columns were reordered."""
    before = {c["name"]: c for c in old}
    after = {c["name"]: c for c in new}
    changed = [
        {"name": name, "from": before[name].get("type"), "to": after[name].get("type")}
        for name in after
        if name in before and _norm_type(before[name].get("type")) != _norm_type(after[name].get("type"))
    ]
    common_before = [c["name"] for c in sorted(old, key=lambda c: c["ordinal"]) if c["name"] in after]
    common_after = [c["name"] for c in sorted(new, key=lambda c: c["ordinal"]) if c["name"] in before]
    return {
        "added": [n for n in after if n not in before],
        "removed": [n for n in before if n not in after],
        "changed": changed,
        "reordered": common_before != common_after,
    }


def apply_columns(
    session: Session,
    dataset: CatalogDataset,
    specs: Sequence[ColumnSpec],
    *,
    origin: str,
    actor_label: str,
    existing: list[CatalogColumn] | None = None,
    samples: dict[str, list[str]] | None = None,
    nullables: dict[str, bool] | None = None,
) -> int | None:
    """Make `specs` the dataset's current columns; returns the new schema version, or None if unchanged.

    Unknown types and descriptions (None) keep what is stored; a steward's description is never
    overwritten by a source.
    """
    if existing is None:
        existing = list(session.exec(select(CatalogColumn).where(CatalogColumn.dataset_id == dataset.id)))
    current = {c.name: c for c in existing}
    schema = []
    for spec in specs:
        row = current.get(spec.name)
        ctype = spec.type if spec.type is not None else (row.type if row else None)
        schema.append({"name": spec.name, "type": ctype, "ordinal": spec.ordinal})
        if row is None:
            row = CatalogColumn(dataset_id=dataset.id, name=spec.name)
            current[spec.name] = row
        _update_column(row, spec, ctype, origin, samples, nullables)
        session.add(row)
    keep = {s.name for s in specs}
    for name, row in list(current.items()):
        if name not in keep and row.id is not None:
            session.delete(row)
    return _maybe_new_version(session, dataset, schema, origin=origin, actor_label=actor_label)


def _update_column(row, spec, ctype, origin, samples, nullables) -> None:
    row.type = ctype
    row.ordinal = spec.ordinal
    if spec.description and row.description_source != STEWARD:
        row.description, row.description_source = spec.description, origin
    if samples is not None and spec.name in samples:
        row.sample = samples[spec.name]
    if nullables is not None and spec.name in nullables:
        row.nullable = nullables[spec.name]


def _maybe_new_version(session, dataset, schema, *, origin, actor_label) -> int | None:
    fp = fingerprint(schema)
    previous = current_version_row(session, dataset)
    if previous is not None and previous.fingerprint == fp:
        return None
    version = dataset.current_version + 1
    changes = diff(previous.columns if previous else [], schema)
    session.add(
        CatalogSchemaVersion(
            dataset_id=dataset.id,
            version=version,
            fingerprint=fp,
            columns=schema,
            changes=changes,
            origin=origin,
            created_at=clock.now(),
            created_by=actor_label,
        )
    )
    dataset.current_version = version
    session.add(dataset)
    return version


def current_version_row(session: Session, dataset: CatalogDataset) -> CatalogSchemaVersion | None:
    """The dataset's latest schema version row."""
    if dataset.current_version == 0:
        return None
    return session.exec(
        select(CatalogSchemaVersion).where(
            CatalogSchemaVersion.dataset_id == dataset.id,
            CatalogSchemaVersion.version == dataset.current_version,
        )
    ).first()


def _info(row: CatalogSchemaVersion) -> SchemaVersionInfo:
    return SchemaVersionInfo(
        version=row.version,
        columns=list(row.columns),
        changes=dict(row.changes),
        origin=row.origin,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _exists(session: Session, dataset_id: str) -> None:
    if session.get(CatalogDataset, dataset_id) is None:
        raise NotFound(f"no dataset {dataset_id!r}", field="dataset_id")


def schema_history(session: Session, *, dataset_id: str) -> list[SchemaVersionInfo]:
    """Every schema version of a dataset, newest first, each with its changes from the one before."""
    _exists(session, dataset_id)
    rows = session.exec(
        select(CatalogSchemaVersion)
        .where(CatalogSchemaVersion.dataset_id == dataset_id)
        .order_by(CatalogSchemaVersion.version.desc())
    ).all()
    return [_info(r) for r in rows]


def compare_versions(session: Session, *, dataset_id: str, from_version: int, to_version: int) -> dict:
    """The differences between any two schema versions of a dataset."""
    rows = {
        r.version: r
        for r in session.exec(
            select(CatalogSchemaVersion).where(
                CatalogSchemaVersion.dataset_id == dataset_id,
                CatalogSchemaVersion.version.in_([from_version, to_version]),
            )
        )
    }
    for label, v in (("from_version", from_version), ("to_version", to_version)):
        if v not in rows:
            raise NotFound(f"dataset {dataset_id} has no schema version {v}", field=label)
    return {
        "from_version": from_version,
        "to_version": to_version,
        **diff(rows[from_version].columns, rows[to_version].columns),
    }
