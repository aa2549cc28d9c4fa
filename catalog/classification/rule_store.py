"""Classification rules as stored and listed: the built-in ones (YAML) and stewards' custom rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from catalog.classification.engine import builtin_rules
from catalog.classification.rules import CompiledRule, Rule, validate_rule
from catalog.models_governance import CatalogClassificationRule
from core import audit, clock
from core.audit import Actor
from core.errors import Conflict, NotFound
from core.ids import new_id


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
