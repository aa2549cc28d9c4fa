"""Applying rules to a column's name and value sample: which PII classes it suggests, how sure, why."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import yaml

from catalog.classification.rules import CompiledRule, Rule, validate_rule

MIN_CONFIDENCE = 0.5
NAME_ONLY_FACTOR = 0.6  # a rule that also checks values, applied to an empty sample
MAX_VALUE = 200


@functools.cache
def builtin_rules() -> tuple[Rule, ...]:
    """The rules shipped in builtin_rules.yaml, validated."""
    text = resources.files("catalog.classification").joinpath("builtin_rules.yaml").read_text()
    rules = yaml.safe_load(text)["rules"]
    return tuple(validate_rule(Rule(**r, builtin=True), f"rules[{i}].") for i, r in enumerate(rules))


@dataclass(frozen=True)
class Match:
    """A class a rule suggests for a column."""

    pii_class: str
    rule: str
    confidence: float
    match_share: float | None


def _values(sample: Iterable[object] | None) -> list[str]:
    out = []
    for value in sample or ():
        if value is None:
            continue
        text = str(value).strip()
        if text:
            out.append(text[:MAX_VALUE])
    return out


def _share(rule: CompiledRule, values: list[str]) -> float:
    hits = 0
    for v in values:
        if rule.value.fullmatch(v) and (rule.check is None or rule.check(v)):
            hits += 1
    return hits / len(values)


def apply_rule(rule: CompiledRule, column: str, values: list[str]) -> Match | None:
    """The match of one rule on one column, or None."""
    r = rule.rule
    if rule.column is not None and not rule.column.search(column):
        return None
    if rule.value is None:
        return Match(r.pii_class, r.name, r.confidence, None)
    if not values:
        if rule.column is None:
            return None
        return Match(r.pii_class, r.name, round(r.confidence * NAME_ONLY_FACTOR, 4), None)
    share = _share(rule, values)
    if share < r.min_match_share:
        return None
    return Match(r.pii_class, r.name, r.confidence, round(share, 4))


def classify(column: str, sample: Sequence[object] | None, rules: Sequence[CompiledRule]) -> list[Match]:
    """The classes the rules suggest for a column, one per class (the most confident rule wins)."""
    values = _values(sample)
    best: dict[str, Match] = {}
    for rule in rules:
        match = apply_rule(rule, column, values)
        if match is None or match.confidence < MIN_CONFIDENCE:
            continue
        current = best.get(match.pii_class)
        if current is None or match.confidence > current.confidence:
            best[match.pii_class] = match
    return sorted(best.values(), key=lambda m: (-m.confidence, m.pii_class))
