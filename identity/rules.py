"""Match rules: a small versioned document (YAML) of deterministic rules, validated on load."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from core.errors import InvalidInput
from identity.normalise import KINDS

PACKAGED_RULES = Path(__file__).resolve().parent / "match_rules.yaml"
REQUIREMENTS = ("last_name", "first_initial", "first_name")


@dataclass(frozen=True)
class MatchRule:
    """Link two records that share a contact point of `kind` and agree on the `require`d name parts."""

    name: str
    kind: str
    require: tuple[str, ...] = ()
    household_protection: bool = False
    max_distinct_names: int = 3

    def to_dict(self) -> dict[str, Any]:
        """The rule as written in the YAML document."""
        return {
            "name": self.name,
            "kind": self.kind,
            "require": list(self.require),
            "household_protection": self.household_protection,
            "max_distinct_names": self.max_distinct_names,
        }


@dataclass(frozen=True)
class MatchRules:
    """A versioned set of rules; links record the version that made them."""

    version: str
    rules: tuple[MatchRule, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The document as stored and as written in YAML."""
        return {"version": self.version, "rules": [r.to_dict() for r in self.rules]}

    def for_kind(self, kind: str) -> list[MatchRule]:
        """The rules that compare contact points of `kind`."""
        return [r for r in self.rules if r.kind == kind]


def parse_rules(document: Any) -> MatchRules:
    """Validate a rules document (a dict as loaded from YAML); InvalidInput names the bad field."""
    if not isinstance(document, dict):
        raise InvalidInput("a rules document is a mapping with `version` and `rules`", field="rules")
    version = document.get("version")
    if not isinstance(version, str) or not version.strip() or len(version) > 80:
        raise InvalidInput("give the rules a `version` (text up to 80 characters)", field="version")
    items = document.get("rules")
    if not isinstance(items, list) or not items:
        raise InvalidInput("`rules` must be a non-empty list", field="rules")
    rules = tuple(_parse_rule(item, i) for i, item in enumerate(items))
    names = [r.name for r in rules]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise InvalidInput(f"rule name {name!r} is used twice", field=f"rules[{i}].name")
    return MatchRules(version=version.strip(), rules=rules)


def _parse_rule(item: Any, i: int) -> MatchRule:
    where = f"rules[{i}]"
    if not isinstance(item, dict):
        raise InvalidInput("each rule is a mapping with name, kind and require", field=where)
    unknown = set(item) - {"name", "kind", "require", "household_protection", "max_distinct_names"}
    if unknown:
        raise InvalidInput(f"unknown keys {sorted(unknown)}", field=f"{where}.{sorted(unknown)[0]}")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise InvalidInput("each rule needs a `name` (up to 80 characters)", field=f"{where}.name")
    kind = item.get("kind")
    if kind not in KINDS:
        raise InvalidInput(f"`kind` must be one of {', '.join(KINDS)}", field=f"{where}.kind")
    require = item.get("require") or []
    if not isinstance(require, list) or any(r not in REQUIREMENTS for r in require):
        raise InvalidInput(f"`require` lists any of {', '.join(REQUIREMENTS)}", field=f"{where}.require")
    if kind != "email" and "last_name" not in require:
        # A shared phone or address alone is never proof of one person.
        raise InvalidInput("phone and postal rules must require last_name", field=f"{where}.require")
    limit = item.get("max_distinct_names", 3)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise InvalidInput(
            "`max_distinct_names` is a whole number of at least 1", field=f"{where}.max_distinct_names"
        )
    household = item.get("household_protection", kind != "email")
    if not isinstance(household, bool):
        raise InvalidInput("`household_protection` is true or false", field=f"{where}.household_protection")
    return MatchRule(
        name=name.strip(),
        kind=kind,
        require=tuple(dict.fromkeys(require)),
        household_protection=household,
        max_distinct_names=limit,
    )


def load_rules(source: str | Path | dict | None = None) -> MatchRules:
    """Rules from a YAML file path, YAML text, a dict, or the packaged default when None."""
    if source is None:
        source = PACKAGED_RULES
    if isinstance(source, dict):
        return parse_rules(source)
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))
    ):
        path = Path(source)
        if not path.is_file():
            raise InvalidInput(f"rules file {path} does not exist", field="rules")
        source = path.read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"rules are not valid YAML{where}: {exc}", field="rules") from None
    return parse_rules(document)


@lru_cache(maxsize=1)
def default_rules() -> MatchRules:
    """The packaged rules (match_rules.yaml), read once."""
    return load_rules(PACKAGED_RULES)
