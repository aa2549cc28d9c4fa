"""Classification rules: a column-name pattern, a value pattern over the sample with a minimum match share
(as Purview's custom classification rules), an optional validator (Luhn, IP...) and a confidence.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import date

from core.errors import InvalidInput

RULE_NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,99}$")
CLASS_NAME = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
MAX_PATTERN = 1000


def luhn(value: str) -> bool:
    """The Luhn checksum of a 13-19 digit card number (spaces and dashes ignored)."""
    digits = [int(c) for c in value if c.isdigit()]
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_ip(value: str) -> bool:
    """An IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value.strip())
    except ValueError:
        return False
    return True


def phone_digits(value: str) -> bool:
    """7 to 15 digits (E.164 allows 15), in any of the usual formats."""
    return 7 <= sum(c.isdigit() for c in value) <= 15


def plausible_birth_date(value: str) -> bool:
    """An ISO date (optionally with time) between 1900 and today."""
    try:
        born = date.fromisoformat(value.strip()[:10])
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


VALIDATORS = {"luhn": luhn, "ip": is_ip, "phone_digits": phone_digits, "birth_date": plausible_birth_date}


@dataclass(frozen=True)
class Rule:
    """A classification rule; `builtin` rules ship with Concord, the others are stored custom rules."""

    name: str
    pii_class: str
    column_pattern: str | None = None
    value_pattern: str | None = None
    min_match_share: float = 0.6
    confidence: float = 0.8
    validator: str | None = None
    description: str = ""
    builtin: bool = False

    def compiled(self) -> CompiledRule:
        """This rule with its patterns compiled (case-insensitive)."""
        return CompiledRule(
            rule=self,
            column=re.compile(self.column_pattern, re.IGNORECASE) if self.column_pattern else None,
            value=re.compile(self.value_pattern, re.IGNORECASE) if self.value_pattern else None,
            check=VALIDATORS.get(self.validator or ""),
        )


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready to apply."""

    rule: Rule
    column: re.Pattern | None
    value: re.Pattern | None
    check: object | None


def validate_rule(rule: Rule, prefix: str = "") -> Rule:
    """The rule if it is well formed; InvalidInput naming the rule and the field at fault otherwise."""
    label = f"rule {rule.name!r}"
    if not isinstance(rule.name, str) or not RULE_NAME.match(rule.name):
        raise InvalidInput(
            f"{label}: name must be 2-100 lower-case letters, digits, '_', '.', '-'", field=f"{prefix}name"
        )
    if not isinstance(rule.pii_class, str) or not CLASS_NAME.match(rule.pii_class):
        raise InvalidInput(
            f"{label}: pii_class must look like `email` or `loyalty_id`", field=f"{prefix}pii_class"
        )
    if not rule.column_pattern and not rule.value_pattern:
        raise InvalidInput(
            f"{label}: give a column_pattern, a value_pattern or both", field=f"{prefix}column_pattern"
        )
    for field_name in ("column_pattern", "value_pattern"):
        pattern = getattr(rule, field_name)
        if pattern is None:
            continue
        if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
            raise InvalidInput(
                f"{label}: {field_name} must be text of at most {MAX_PATTERN} characters",
                field=f"{prefix}{field_name}",
            )
        try:
            re.compile(pattern)
        except re.error as exc:
            raise InvalidInput(
                f"{label}: {field_name} is not a valid regular expression ({exc})",
                field=f"{prefix}{field_name}",
            ) from None
    for field_name in ("min_match_share", "confidence"):
        value = getattr(rule, field_name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise InvalidInput(
                f"{label}: {field_name} must be a number above 0 and at most 1", field=f"{prefix}{field_name}"
            )
    if rule.validator is not None and rule.validator not in VALIDATORS:
        raise InvalidInput(
            f"{label}: validator must be one of {', '.join(VALIDATORS)}", field=f"{prefix}validator"
        )
    return rule
