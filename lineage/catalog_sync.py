"""Catalogue integration: what lineage events say about datasets, written to the catalogue in the same
transaction as the derived rows.

A dataset is registered (with its schema, description, owners and source) when it is first derived or
when one of those facets changes; a completed run that wrote it records an update (freshness); a DROP
marks it dropped; symlinks become aliases. The catalogue refusing one dataset (an owner it cannot
parse, a name it considers another dataset's) is logged and skipped: lineage never loses an event
over it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session

import catalog
from core.audit import Actor
from core.errors import ConcordError
from lineage.derive import Derived
from lineage.models import LineageDataset

log = logging.getLogger(__name__)

REGISTERING_FACETS = frozenset({"schema", "documentation", "ownership", "dataSource", "lifecycleStateChange"})


def _guarded(session: Session, what: str, call: Callable[[], object]) -> bool:
    """Run one catalogue call in a savepoint; False (logged) when the catalogue refuses it."""
    savepoint = session.begin_nested()
    try:
        call()
        savepoint.commit()
        return True
    except ConcordError as exc:
        savepoint.rollback()
        log.warning("catalogue refused %s: %s (%s)", what, exc.message, exc.field)
        return False


def columns(ds: LineageDataset) -> list[catalog.ColumnSpec] | None:
    """The catalogue's columns from the schema facet (None: the producer sent no schema)."""
    if "schema" not in ds.facets:
        return None
    return [
        catalog.ColumnSpec(
            name=f["name"], type=f.get("type"), description=f.get("description"), ordinal=i + 1
        )
        for i, f in enumerate(ds.fields)
    ]


def register(session: Session, ds: LineageDataset, actor: Actor) -> bool:
    """Create or update the catalogue entry of one lineage dataset."""
    return _guarded(
        session,
        f"dataset {ds.namespace}:{ds.name}",
        lambda: catalog.register_dataset(
            session,
            namespace=ds.namespace,
            name=ds.name,
            columns=columns(ds),
            description=ds.description,
            source_system=ds.source_name,
            owners=[(name, kind or "owner") for name, kind in ds.owners],
            origin="openlineage",
            actor=actor,
            commit=False,
        ),
    )


def sync(session: Session, derived: Derived, *, actor: Actor) -> None:
    """Register, refresh, drop and alias in the catalogue what one derived batch touched."""
    updates: list[catalog.Update] = []  # recorded together: one lookup for the batch, not one per dataset
    for ds in derived.live():
        changed = derived.changed_facets.get(ds.id, set())
        registering = ds.id in derived.created or changed & REGISTERING_FACETS
        if registering and not register(session, ds, actor):
            continue
        if ds.id in derived.written:
            updates.append(
                catalog.Update(ds.namespace, ds.name, derived.written[ds.id], derived.row_counts.get(ds.id))
            )
        if ds.dropped and "lifecycleStateChange" in derived.restamped.get(ds.id, set()):
            _guarded(
                session,
                f"drop of {ds.namespace}:{ds.name}",
                lambda ds=ds: catalog.mark_dropped(
                    session, namespace=ds.namespace, name=ds.name, at=ds.dropped_at, actor=actor, commit=False
                ),
            )
    for missing in catalog.record_updates(session, updates, source="lineage"):
        log.warning("catalogue refused update of %s:%s: not registered", missing.namespace, missing.name)
    for alias in derived.aliases:
        _guarded(
            session,
            f"alias {alias.alias_namespace}:{alias.alias_name}",
            lambda a=alias: catalog.add_alias(
                session,
                namespace=a.namespace,
                name=a.name,
                alias_namespace=a.alias_namespace,
                alias_name=a.alias_name,
                actor=actor,
                commit=False,
            ),
        )


def catalogue_owners(session: Session, ds: LineageDataset) -> list[tuple[str, str | None]]:
    """Owners to notify: the catalogue's (stewards may have added some), else the ownership facet's."""
    owners = catalog.dataset_owners(session, namespace=ds.namespace, name=ds.name)
    if owners:
        return [(o.name, o.role) for o in owners]
    return [(name, kind) for name, kind in ds.owners]
