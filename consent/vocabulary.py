"""The fixed words of the consent engine: statuses, scopes, fact kinds and reason codes."""

from __future__ import annotations

STATUSES = ("opt_in", "opt_out", "objection", "pending")
RESTRICTIVE = frozenset({"opt_out", "objection"})
SCOPES = ("person", "channel", "contact_point")
CONTACT_KINDS = ("email", "phone", "postal")
RELATIONSHIP_KINDS = ("purchase", "inquiry")

# Order used to break ties between records captured at the same instant under `tie_break: restrictive`:
# the more restrictive status sorts later, so it is the one left standing.
TIE_RANK_RESTRICTIVE = {"opt_in": 0, "pending": 1, "opt_out": 2, "objection": 3}
TIE_RANK_PERMISSIVE = {"objection": 0, "opt_out": 1, "pending": 2, "opt_in": 3}

# Every reason code a decision can carry, in the order of research section 3.3.
REASONS = (
    "unknown_customer",
    "no_contact_point",
    "suppressed",
    "transactional",
    "unknown_jurisdiction",
    "internal_dnc",
    "registry_stale",
    "gpc",
    "objection",
    "opt_out",
    "dnc_registry",
    "ebr",
    "explicit_opt_in",
    "non_authoritative_source",
    "missing_evidence",
    "nonrestrictive_default",
    "implied_consent",
    "soft_opt_in",
    "expired",
    "pending",
    "no_consent",
)
ALLOWING = frozenset(
    {"transactional", "ebr", "explicit_opt_in", "nonrestrictive_default", "implied_consent", "soft_opt_in"}
)
