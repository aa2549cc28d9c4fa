"""Column classification: suggestions from rules and lineage, steward decisions, custom rules.

A class a steward rejected on a column stays rejected: no rule, rescan or propagation suggests it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from catalog.classification.engine import builtin_rules, classify
from catalog.classification.rules import CLASS_NAME, CompiledRule, Rule, validate_rule
from catalog.models import CatalogColumn, CatalogDataset
from catalog.models_governance import CatalogClassificationRule, CatalogColumnClass
from catalog.registry import get_row, resolve, validate_name
from catalog.results import ColumnClassInfo
from catalog.search.index import reindex
from core import audit, clock
from core.audit import Actor
from core.errors import Conflict, InvalidInput, NotFound
from core.ids import new_id

DECISIONS = {"confirm": "confirmed", "reject": "rejected"}


def _rule_of(row: CatalogClassificationRule) -> Rule:
    return Rule(
        name=row.name,
        pii_class=row.pii_class,
        column_pattern=row.column_pattern,
        value_pattern=row.value_pattern,
        min_match_share=row.min_match_share,
        confidence=row.confidence,
        validator=row.validator,
        description=row.description,
    )


@dataclass(frozen=True)
class RuleInfo:
    """A rule as listed: built-in or custom, and whether it is on."""

    name: str
    pii_class: str
    description: str
    column_pattern: str | None
    value_pattern: str | None
    min_match_share: float
    confidence: float
    validator: str | None
    builtin: bool
    enabled: bool
    rule: Rule


def _listed(rule: Rule, enabled: bool) -> RuleInfo:
    return RuleInfo(
        rule.name,
        rule.pii_class,
        rule.description,
        rule.column_pattern,
        rule.value_pattern,
        rule.min_match_share,
        rule.confidence,
        rule.validator,
        rule.builtin,
        enabled,
        rule,
    )


def list_rules(session: Session) -> list[RuleInfo]:
    """Built-in and custom rules, each with whether it is enabled."""
    custom = session.exec(select(CatalogClassificationRule).order_by(CatalogClassificationRule.name)).all()
    return [_listed(r, True) for r in builtin_rules()] + [_listed(_rule_of(r), r.enabled) for r in custom]


def active_rules(session: Session) -> list[CompiledRule]:
    """Every enabled rule, compiled."""
    return [info.rule.compiled() for info in list_rules(session) if info.enabled]


def add_rule(session: Session, *, rule: Rule, actor: Actor, commit: bool = True) -> RuleInfo:
    """Store a custom rule after checking its patterns; InvalidInput names the rule and the bad field."""
    rule = validate_rule(rule)
    if (
        any(b.name == rule.name for b in builtin_rules())
        or session.exec(
            select(CatalogClassificationRule).where(CatalogClassificationRule.name == rule.name)
        ).first()
    ):
        raise Conflict(f"a rule named {rule.name!r} exists already; choose another name", field="name")
    row = CatalogClassificationRule(
        id=new_id("rule"),
        name=rule.name,
        pii_class=rule.pii_class,
        description=rule.description or "",
        column_pattern=rule.column_pattern,
        value_pattern=rule.value_pattern,
        min_match_share=float(rule.min_match_share),
        confidence=float(rule.confidence),
        validator=rule.validator,
        created_by=actor.label,
        created_at=clock.now(),
    )
    session.add(row)
    audit.record(
        session, actor, "classification.rule.add", "classification_rule", row.id, {"name": rule.name}
    )
    if commit:
        session.commit()
    return _listed(_rule_of(row), True)


def set_rule_enabled(session: Session, *, name: str, enabled: bool, actor: Actor) -> None:
    """Switch a custom rule on or off (built-in rules are always on)."""
    row = session.exec(
        select(CatalogClassificationRule).where(CatalogClassificationRule.name == name)
    ).first()
    if row is None:
        raise NotFound(f"no custom rule {name!r}", field="name")
    row.enabled = bool(enabled)
    session.add(row)
    audit.record(
        session, actor, "classification.rule.enable", "classification_rule", row.id, {"enabled": enabled}
    )
    session.commit()


def suggest_for_columns(
    session: Session,
    dataset_id: str,
    columns: Iterable[tuple[str, Sequence[object] | None]],
    rules: Sequence[CompiledRule],
    existing: list[CatalogColumnClass] | None = None,
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
    now, added = clock.now(), 0
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
                session.add(
                    CatalogColumnClass(
                        dataset_id=dataset_id,
                        column_name=column,
                        pii_class=cls,
                        status="suggested",
                        source=f"rule:{m.rule}",
                        confidence=m.confidence,
                        match_share=m.match_share,
                        created_at=now,
                        updated_at=now,
                    )
                )
                added += 1
            elif row.status == "suggested" and row.source.startswith("rule:"):
                row.source, row.confidence, row.match_share, row.updated_at = (
                    f"rule:{m.rule}",
                    m.confidence,
                    m.match_share,
                    now,
                )
                session.add(row)
    return added


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
