"""Import of dbt artifacts (`manifest.json`, optionally `catalog.json`): datasets, columns, descriptions,
owners and tags, and the model-to-model dependencies (returned for the lineage side to use).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from catalog.models import CatalogTag
from catalog.registry import register_dataset
from catalog.results import ColumnSpec
from catalog.search.index import reindex
from core import audit, clock
from core.audit import Actor
from core.errors import InvalidInput

RESOURCE_KINDS = {"model": "model", "seed": "seed", "snapshot": "snapshot", "source": "source"}


@dataclass(frozen=True)
class DbtDependency:
    """`downstream` is built from `upstream` (dbt `depends_on`), both as OpenLineage dataset names."""

    upstream_namespace: str
    upstream_name: str
    downstream_namespace: str
    downstream_name: str
    node: str


@dataclass(frozen=True)
class DbtImportResult:
    """What an import registered."""

    project: str
    namespace: str
    datasets: int
    created: int
    new_versions: int
    dependencies: list[DbtDependency] = field(default_factory=list)


def _require(doc: Any, key: str, kind: type, where: str) -> Any:
    value = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, kind):
        raise InvalidInput(
            f"{where}.{key} is missing or not a {kind.__name__}: is this a dbt artifact?",
            field=f"{where}.{key}",
        )
    return value


def _relation(node: dict) -> str:
    name = node.get("alias") or node.get("identifier") or node.get("name")
    return ".".join(p for p in (node.get("database"), node.get("schema"), name) if p)


def _owners(node: dict) -> list[tuple[str, str]]:
    meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
    found = meta.get("owner") or meta.get("owners") or []
    owners = [found] if isinstance(found, str) else [o for o in found if isinstance(o, str)]
    out = [(o if ":" in o else f"user:{o}", "owner") for o in owners]
    group = node.get("group") or (node.get("config") or {}).get("group")
    if isinstance(group, str) and group:
        out.append((f"team:{group}", "owner"))
    return out


def _columns(node: dict, catalog_node: dict | None) -> list[ColumnSpec] | None:
    documented = {n.lower(): c for n, c in (node.get("columns") or {}).items() if isinstance(c, dict)}
    if catalog_node:
        actual = sorted((catalog_node.get("columns") or {}).values(), key=lambda c: c.get("index") or 0)
        return [
            ColumnSpec(
                c["name"],
                c.get("type"),
                (documented.get(c["name"].lower()) or {}).get("description") or c.get("comment"),
                c.get("index"),
            )
            for c in actual
            if isinstance(c, dict) and c.get("name")
        ]
    if documented:
        return [
            ColumnSpec(c.get("name") or n, c.get("data_type"), c.get("description") or None)
            for n, c in documented.items()
        ]
    return None


def _row_count(catalog_node: dict | None) -> int | None:
    stats = (catalog_node or {}).get("stats") or {}
    value = (stats.get("row_count") or stats.get("num_rows") or {}).get("value")
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def import_dbt(
    session: Session,
    *,
    manifest: dict,
    catalog: dict | None = None,
    namespace: str | None = None,
    actor: Actor,
) -> DbtImportResult:
    """Register every model, seed, snapshot and source of a dbt project (all or nothing)."""
    metadata = _require(manifest, "metadata", dict, "manifest")
    nodes = {**_require(manifest, "nodes", dict, "manifest"), **(manifest.get("sources") or {})}
    project = metadata.get("project_name") or "dbt"
    namespace = namespace or f"{metadata.get('adapter_type') or 'dbt'}://{project}"
    cat_nodes = {}
    if catalog is not None:
        cat_nodes = {**_require(catalog, "nodes", dict, "catalog"), **(catalog.get("sources") or {})}
    names, ids, created, versions, datasets = {}, [], 0, 0, 0
    for uid, node in sorted(nodes.items()):
        if not isinstance(node, dict) or node.get("resource_type") not in RESOURCE_KINDS:
            continue
        names[uid] = _relation(node)
        try:
            result = register_dataset(
                session,
                namespace=namespace,
                name=names[uid],
                columns=_columns(node, cat_nodes.get(uid)),
                description=node.get("description") or None,
                owners=_owners(node),
                origin="dbt",
                kind=RESOURCE_KINDS[node["resource_type"]],
                row_count=_row_count(cat_nodes.get(uid)),
                source_system=f"dbt:{project}"[:100],
                display_name=node.get("name"),
                actor=actor,
                commit=False,
            )
        except InvalidInput as exc:
            raise InvalidInput(f"{uid}: {exc.message}", field=f"manifest.nodes.{uid}.{exc.field}") from None
        ids.append(result.id)
        datasets += 1
        created += result.created
        versions += bool(result.new_version)
        _add_tags(session, result.id, node.get("tags") or [], actor)
    deps = [
        DbtDependency(namespace, names[up], namespace, names[uid], uid)
        for uid in sorted(names)
        for up in ((nodes[uid].get("depends_on") or {}).get("nodes") or [])
        if up in names
    ]
    reindex(session, ids)  # again: tags are added after registration
    audit.record(
        session,
        actor,
        "dbt.import",
        "dbt_project",
        project,
        {"namespace": namespace, "datasets": datasets, "dependencies": len(deps)},
    )
    session.commit()
    return DbtImportResult(project, namespace, datasets, created, versions, deps)


def _add_tags(session: Session, dataset_id: str, tags: list, actor: Actor) -> None:
    have = set(session.exec(select(CatalogTag.tag).where(CatalogTag.dataset_id == dataset_id)))
    for tag in {str(t).strip().lower()[:100] for t in tags if str(t).strip()} - have:
        session.add(CatalogTag(dataset_id=dataset_id, tag=tag, added_by=actor.label, added_at=clock.now()))
