"""Dataset registry: register, resolve (with aliases), record updates, mark dropped, owners."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, select

from catalog.models import CatalogDataset, CatalogDatasetAlias, CatalogOwner
from catalog.results import ColumnSpec, DatasetSummary, Owner, RegisteredDataset
from catalog.search.documents import is_fresh
from catalog.search.index import reindex, update_signals
from catalog.versions import STEWARD, apply_columns, validate_columns
from core import audit, clock
from core.audit import SYSTEM, Actor
from core.errors import Conflict, InvalidInput, NotFound
from core.ids import new_id

ORIGINS = ("openlineage", "scan", "dbt", "manual", "concord")
KINDS = ("table", "view", "model", "source", "seed", "snapshot", "file", "stream", "topic", "other")


def validate_name(namespace: str, name: str, prefix: str = "") -> tuple[str, str]:
    """A dataset's namespace and name, trimmed; InvalidInput naming the bad one."""
    ns = namespace.strip() if isinstance(namespace, str) else ""
    nm = name.strip() if isinstance(name, str) else ""
    if not ns or len(ns) > 500:
        raise InvalidInput("namespace must be 1 to 500 characters", field=f"{prefix}namespace")
    if not nm or len(nm) > 1000:
        raise InvalidInput("name must be 1 to 1000 characters", field=f"{prefix}name")
    return ns, nm


def parse_owner(owner: str, role: str | None, field: str = "owners") -> Owner:
    """`user:ada` / `team:crm` (a bare name is a user) with a role such as `owner` or `steward`."""
    text = owner.strip() if isinstance(owner, str) else ""
    if ":" not in text:
        text = f"user:{text}" if text else ""
    kind, _, who = text.partition(":")
    kind = {"group": "team", "team": "team", "user": "user", "person": "user"}.get(kind.lower(), "")
    if not kind or not who.strip() or len(text) > 200:
        raise InvalidInput(f"owner {owner!r} must be `user:<name>` or `team:<name>`", field=field)
    role_text = (role or "owner").strip().lower() or "owner"
    if len(role_text) > 60:
        raise InvalidInput("an owner's role is at most 60 characters", field=field)
    return Owner(name=f"{kind}:{who.strip()}", kind=kind, role=role_text)


def resolve(session: Session, namespace: str, name: str) -> CatalogDataset | None:
    """The dataset named (namespace, name) directly or through an alias."""
    row = session.exec(
        select(CatalogDataset).where(CatalogDataset.namespace == namespace, CatalogDataset.name == name)
    ).first()
    if row is not None:
        return row
    alias = session.get(CatalogDatasetAlias, (namespace, name))
    return session.get(CatalogDataset, alias.dataset_id) if alias else None


def get_row(session: Session, dataset_id: str) -> CatalogDataset:
    """The dataset row by id; NotFound otherwise."""
    row = session.get(CatalogDataset, dataset_id)
    if row is None:
        raise NotFound(f"no dataset {dataset_id!r}; find one with the catalogue search", field="dataset_id")
    return row


def register_dataset(
    session: Session,
    *,
    namespace: str,
    name: str,
    columns: Sequence[ColumnSpec] | None = None,
    description: str | None = None,
    source_system: str | None = None,
    owners: Sequence[tuple[str, str]] = (),
    origin: str = "openlineage",
    display_name: str | None = None,
    kind: str | None = None,
    row_count: int | None = None,
    actor: Actor,
    commit: bool = True,
) -> RegisteredDataset:
    """Create or update the dataset (namespace, name); a different column list makes a new schema version."""
    namespace, name = validate_name(namespace, name)
    if origin not in ORIGINS:
        raise InvalidInput(f"origin must be one of {', '.join(ORIGINS)}", field="origin")
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    specs = validate_columns(columns) if columns is not None else None
    parsed_owners = [parse_owner(o, r, f"owners[{i}]") for i, (o, r) in enumerate(owners)]
    row = resolve(session, namespace, name)
    created = row is None
    now = clock.now()
    if row is None:
        row = CatalogDataset(
            id=new_id("ds"), namespace=namespace, name=name, origin=origin, created_at=now, updated_at=now
        )
        session.add(row)
    changes = _apply_fields(row, description, source_system, origin, display_name, kind, row_count)
    if row.status == "dropped":  # registered again: it exists again
        row.status, row.dropped_at = "active", None
        changes.append("revived")
    version = None
    if specs is not None:
        session.flush()
        version = apply_columns(session, row, specs, origin=origin, actor_label=actor.label)
    if parsed_owners and replace_owners(session, row, parsed_owners, origin):
        changes.append("owners")
    if created or version or changes:
        row.updated_at = now
        session.add(row)
        audit.record(
            session,
            actor,
            "dataset.register",
            "dataset",
            row.id,
            {
                "namespace": namespace,
                "name": name,
                "created": created,
                "version": version,
                "changed": changes,
            },
        )
        reindex(session, [row.id])
    if commit:
        session.commit()
    return RegisteredDataset(row.id, row.namespace, row.name, created, version)


def _apply_fields(row, description, source_system, origin, display_name, kind, row_count) -> list[str]:
    changes = []
    if description and description != row.description and row.description_source != STEWARD:
        row.description, row.description_source = description, origin
        changes.append("description")
    if source_system and source_system != row.source_system:
        row.source_system = source_system[:100]
        changes.append("source_system")
    if display_name and display_name != row.display_name:
        row.display_name = display_name[:300]
        changes.append("display_name")
    if kind and kind != row.kind:
        row.kind = kind
        changes.append("kind")
    if row_count is not None and row_count != row.row_count:
        row.row_count = row_count
    return changes


def replace_owners(session: Session, row: CatalogDataset, owners: list[Owner], origin: str) -> bool:
    """Owners from one origin replace that origin's earlier owners; owners set by others stay."""
    session.flush()
    current = list(session.exec(select(CatalogOwner).where(CatalogOwner.dataset_id == row.id)))
    mine = {(o.owner, o.role): o for o in current if o.origin == origin}
    others = {(o.owner, o.role) for o in current if o.origin != origin}
    wanted = {(o.name, o.role): o for o in owners if (o.name, o.role) not in others}
    if set(mine) == set(wanted):
        return False
    for key, old in mine.items():
        if key not in wanted:
            session.delete(old)
    for key, owner in wanted.items():
        if key not in mine:
            session.add(
                CatalogOwner(
                    dataset_id=row.id, owner=owner.name, kind=owner.kind, role=owner.role, origin=origin
                )
            )
    return True


def record_update(
    session: Session,
    *,
    namespace: str,
    name: str,
    at: datetime,
    row_count: int | None = None,
    source: str = "lineage",
    commit: bool = True,
) -> None:
    """The dataset was written at `at` (a completed run that output it, or a scan): drives freshness.

    Not audited on its own: it is derived from a lineage event or a scan, which are recorded themselves.
    Out-of-order reports never move the last update backwards.
    """
    namespace, name = validate_name(namespace, name)
    row = resolve(session, namespace, name)
    if row is None:
        raise NotFound(f"no dataset {namespace}:{name}; register it before recording updates", field="name")
    apply_update(session, row, at, row_count, source)
    if commit:
        session.commit()


def apply_update(
    session: Session, row: CatalogDataset, at: datetime, row_count: int | None, source: str
) -> None:
    """`record_update` on a resolved row (never backwards; a stale dataset becomes fresh)."""
    at = clock.as_utc(at)
    if row.last_updated_at is None or at >= row.last_updated_at:
        was_fresh = is_fresh(row.last_updated_at, row.expected_update_seconds, row.stale)
        row.last_updated_at, row.last_update_source = at, source[:30]
        if row_count is not None:
            row.row_count = row_count
        if row.stale:
            row.stale, row.stale_since = False, None
            reindex(session, [row.id])
        elif is_fresh(at, row.expected_update_seconds, False) != was_fresh:
            session.add(row)
            update_signals(session, [row.id])
        session.add(row)


def mark_dropped(
    session: Session, *, namespace: str, name: str, at: datetime, actor: Actor, commit: bool = True
) -> None:
    """The dataset was dropped at its source: marked, never deleted (re-registering revives it)."""
    namespace, name = validate_name(namespace, name)
    row = resolve(session, namespace, name)
    if row is None:
        raise NotFound(f"no dataset {namespace}:{name}", field="name")
    if row.status != "dropped":
        row.status, row.dropped_at, row.updated_at = "dropped", clock.as_utc(at), clock.now()
        session.add(row)
        audit.record(session, actor, "dataset.drop", "dataset", row.id, {"at": clock.iso(row.dropped_at)})
        reindex(session, [row.id])
    if commit:
        session.commit()


def add_alias(
    session: Session,
    *,
    namespace: str,
    name: str,
    alias_namespace: str,
    alias_name: str,
    actor: Actor = SYSTEM,
    commit: bool = True,
) -> None:
    """Make (alias_namespace, alias_name) another name of the dataset (namespace, name)."""
    namespace, name = validate_name(namespace, name)
    alias_namespace, alias_name = validate_name(alias_namespace, alias_name, "alias_")
    target = resolve(session, namespace, name)
    if target is None:
        raise NotFound(f"no dataset {namespace}:{name}; register it before its aliases", field="name")
    if (alias_namespace, alias_name) == (target.namespace, target.name):
        return
    existing = session.get(CatalogDatasetAlias, (alias_namespace, alias_name))
    if existing is not None and existing.dataset_id == target.id:
        return
    other = resolve(session, alias_namespace, alias_name)
    if other is not None and other.id != target.id and existing is None:
        raise Conflict(
            f"{alias_namespace}:{alias_name} is a dataset of its own ({other.id}); it cannot also be an alias",
            field="alias_name",
        )
    if existing is None:
        existing = CatalogDatasetAlias(namespace=alias_namespace, name=alias_name, dataset_id=target.id)
    existing.dataset_id, existing.created_at = target.id, clock.now()
    session.add(existing)
    audit.record(
        session, actor, "dataset.alias", "dataset", target.id, {"alias": f"{alias_namespace}:{alias_name}"}
    )
    if commit:
        session.commit()


def owners_of(session: Session, dataset_id: str) -> list[Owner]:
    """The owners of a dataset, ordered by kind, name and role."""
    rows = session.exec(
        select(CatalogOwner)
        .where(CatalogOwner.dataset_id == dataset_id)
        .order_by(CatalogOwner.kind, CatalogOwner.owner, CatalogOwner.role)
    )
    return [Owner(name=r.owner, kind=r.kind, role=r.role) for r in rows]


def dataset_owners(session: Session, *, namespace: str, name: str) -> list[Owner]:
    """Who owns the dataset (through aliases); [] for an unknown dataset."""
    row = resolve(session, namespace, name)
    return owners_of(session, row.id) if row else []


def summary(row: CatalogDataset) -> DatasetSummary:
    """A dataset row as a summary."""
    return DatasetSummary(
        id=row.id,
        namespace=row.namespace,
        name=row.name,
        display_name=row.display_name,
        kind=row.kind,
        description=row.description,
        source_system=row.source_system,
        origin=row.origin,
        status=row.status,
        certification=row.certification,
        certification_expired=row.certification_expired,
        row_count=row.row_count,
        current_version=row.current_version,
        last_updated_at=row.last_updated_at,
        stale=row.stale,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def find_dataset(session: Session, *, namespace: str, name: str) -> DatasetSummary | None:
    """The dataset (namespace, name), following aliases; None when unknown."""
    row = resolve(session, namespace, name)
    return summary(row) if row else None
