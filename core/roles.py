"""The six roles and what each may see; admin passes every role check."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A role carried by an API token or a web login."""

    ANALYST = "analyst"  # catalogue and lineage, never raw PII
    STEWARD = "steward"  # catalogue writes, certification
    COMPLIANCE = "compliance"  # consent records, evidence, audit
    MARKETING = "marketing"  # eligibility and segment exports: allowed/denied and reason only
    INGEST = "ingest"  # source systems pushing records and OpenLineage events
    ADMIN = "admin"


ALL_ROLES = tuple(r.value for r in Role)

# Roles allowed to see raw personal data (emails, phones, evidence).
PII_ROLES = frozenset({Role.COMPLIANCE, Role.ADMIN})


def parse_role(value: str) -> Role:
    """The Role named `value`; ValueError listing the valid ones otherwise."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValueError(f"unknown role {value!r}; use one of {', '.join(ALL_ROLES)}") from None


def allows(role: Role | str, allowed: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
    """Whether `role` passes a check that admits `allowed` (admin always does)."""
    return role == Role.ADMIN or role in allowed
