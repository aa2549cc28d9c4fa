"""Column classification: suggestions from rules and lineage, steward decisions, custom rules.

A class a steward rejected on a column stays rejected: no rule, rescan or propagation suggests it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, select

from catalog.classification.engine import classify
from catalog.classification.rule_store import active_rules
from catalog.classification.rules import CLASS_NAME, CompiledRule
from catalog.models import CatalogColumn, CatalogDataset
from catalog.models_governance import CatalogColumnClass
from catalog.registry import get_row, resolve, validate_name
from catalog.results import ColumnClassInfo
from catalog.search.index import reindex
from catalog.versions import Pending
from core import audit, clock
from core.audit import Actor
from core.errors import InvalidInput, NotFound

DECISIONS = {"confirm": "confirmed", "reject": "rejected"}


def suggest_for_columns(
    session: Session,
    dataset_id: str,
    columns: Iterable[tuple[str, Sequence[object] | None]],
    rules: Sequence[CompiledRule],
    existing: list[CatalogColumnClass] | None = None,
    pending: Pending | None = None,
) -> int:
    """Record the rules' suggestions for these columns (within the caller's transaction); returns new ones.

    Rejected classes are skipped, confirmed ones kept; an earlier rule suggestion that no longer
    matches is withdrawn.
    """
    if existing is None:
        existing = list(
            session.exec(select(CatalogColumnClass).where(CatalogColumnClass.dataset_id == dataset_id))
        )
    by_key = {(c.column_name, c.pii_class): c for c in existing}
    now, new_rows = clock.now(), []
    for column, sample in columns:
        matched = {m.pii_class: m for m in classify(column, sample, rules)}
        for (col, cls), row in by_key.items():
            if (
                col == column
                and cls not in matched
                and row.status == "suggested"
                and row.source.startswith("rule:")
            ):
                session.delete(row)
        for cls, m in matched.items():
            row = by_key.get((column, cls))
            if row is None:
                new_rows.append(
                    {
                        "dataset_id": dataset_id,
                        "column_name": column,
                        "pii_class": cls,
                        "status": "suggested",
                        "source": f"rule:{m.rule}",
                        "confidence": m.confidence,
                        "match_share": m.match_share,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            elif row.status == "suggested" and row.source.startswith("rule:"):
                update = (f"rule:{m.rule}", m.confidence, m.match_share)
                if (row.source, row.confidence, row.match_share) != update:
                    row.source, row.confidence, row.match_share = update
                    row.updated_at = now
                    session.add(row)
    if pending is not None:  # the caller inserts them in bulk (a first scan suggests thousands)
        pending.classes.extend(new_rows)
    elif new_rows:
        session.execute(sa.insert(CatalogColumnClass.__table__), new_rows)
    return len(new_rows)


def reclassify(session: Session, *, dataset_ids: Sequence[str] | None = None, actor: Actor) -> int:
    """Re-apply the current rules to the stored samples (all datasets when none are named)."""
    rules = active_rules(session)
    query = select(CatalogColumn.dataset_id, CatalogColumn.name, CatalogColumn.sample)
    if dataset_ids:
        query = query.where(CatalogColumn.dataset_id.in_(list(dataset_ids)))
    per_dataset: dict[str, list] = {}
    for ds_id, name, sample in session.exec(query):
        per_dataset.setdefault(ds_id, []).append((name, sample))
    added = sum(suggest_for_columns(session, ds, cols, rules) for ds, cols in per_dataset.items())
    reindex(session, list(per_dataset))
    audit.record(
        session,
        actor,
        "classification.reclassify",
        "dataset",
        "*",
        {"datasets": len(per_dataset), "suggested": added},
    )
    session.commit()
    return added


def _info(row: CatalogColumnClass) -> ColumnClassInfo:
    return ColumnClassInfo(
        id=row.id,
        dataset_id=row.dataset_id,
        column=row.column_name,
        pii_class=row.pii_class,
        status=row.status,
        source=row.source,
        confidence=row.confidence,
        match_share=row.match_share,
        from_node=row.from_node,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note,
    )


def column_classes(session: Session, *, dataset_id: str, status: str | None = None) -> list[ColumnClassInfo]:
    """The classes on a dataset's columns (optionally only suggested, confirmed or rejected ones)."""
    get_row(session, dataset_id)
    query = select(CatalogColumnClass).where(CatalogColumnClass.dataset_id == dataset_id)
    if status:
        query = query.where(CatalogColumnClass.status == status)
    rows = session.exec(query.order_by(CatalogColumnClass.column_name, CatalogColumnClass.pii_class))
    return [_info(r) for r in rows]


def pii_columns(session: Session, dataset_id: str) -> set[str]:
    """Columns carrying any class that is not rejected (their samples are masked for most roles)."""
    rows = session.exec(
        select(CatalogColumnClass.column_name).where(
            CatalogColumnClass.dataset_id == dataset_id, CatalogColumnClass.status != "rejected"
        )
    )
    return set(rows)


def decide(
    session: Session,
    *,
    dataset_id: str,
    column: str,
    pii_class: str,
    decision: str,
    note: str | None = None,
    actor: Actor,
) -> ColumnClassInfo:
    """A steward confirms or rejects a class on a column (a class not suggested yet can be set directly)."""
    if decision not in DECISIONS:
        raise InvalidInput("decision must be confirm or reject", field="decision")
    if not isinstance(pii_class, str) or not CLASS_NAME.match(pii_class):
        raise InvalidInput("pii_class must look like `email` or `person_name`", field="pii_class")
    dataset = get_row(session, dataset_id)
    if (
        session.exec(
            select(CatalogColumn.id).where(
                CatalogColumn.dataset_id == dataset.id, CatalogColumn.name == column
            )
        ).first()
        is None
    ):
        raise NotFound(f"dataset {dataset.name} has no column {column!r}", field="column")
    row = _class_row(session, dataset.id, column, pii_class) or CatalogColumnClass(
        dataset_id=dataset.id,
        column_name=column,
        pii_class=pii_class,
        status="suggested",
        source="steward",
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    row.status, row.decided_by, row.decided_at, row.note, row.updated_at = (
        DECISIONS[decision],
        actor.label,
        clock.now(),
        note,
        clock.now(),
    )
    session.add(row)
    audit.record(
        session,
        actor,
        f"classification.{decision}",
        "dataset",
        dataset.id,
        {"column": column, "pii_class": pii_class, "note": note},
    )
    reindex(session, [dataset.id])
    session.commit()
    return _info(row)


def _class_row(session: Session, dataset_id: str, column: str, pii_class: str) -> CatalogColumnClass | None:
    return session.exec(
        select(CatalogColumnClass).where(
            CatalogColumnClass.dataset_id == dataset_id,
            CatalogColumnClass.column_name == column,
            CatalogColumnClass.pii_class == pii_class,
        )
    ).first()


def propagate_classification(
    session: Session,
    *,
    namespace: str,
    name: str,
    column: str,
    pii_class: str,
    from_node: str,
    actor: Actor,
    commit: bool = True,
) -> bool:
    """Lineage pushes a class downstream: suggested as `propagated` with its origin node.

    Returns False (and changes nothing) when a steward rejected that class on that column.
    """
    namespace, name = validate_name(namespace, name)
    if not isinstance(pii_class, str) or not CLASS_NAME.match(pii_class):
        raise InvalidInput("pii_class must look like `email` or `person_name`", field="pii_class")
    if not isinstance(column, str) or not column.strip() or len(column) > 300:
        raise InvalidInput("column must be 1 to 300 characters", field="column")
    dataset: CatalogDataset | None = resolve(session, namespace, name)
    if dataset is None:
        raise NotFound(f"no dataset {namespace}:{name}; register it before propagating to it", field="name")
    row = _class_row(session, dataset.id, column, pii_class)
    if row is not None and row.status == "rejected":
        return False
    if row is None:
        now = clock.now()
        row = CatalogColumnClass(
            dataset_id=dataset.id,
            column_name=column,
            pii_class=pii_class,
            status="suggested",
            source="propagated",
            from_node=from_node[:1500],
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        audit.record(
            session,
            actor,
            "classification.propagate",
            "dataset",
            dataset.id,
            {"column": column, "pii_class": pii_class, "from": from_node},
        )
        reindex(session, [dataset.id])
    if commit:
        session.commit()
    return True
