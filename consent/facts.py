"""Facts the evaluator reads, as plain frozen dataclasses (storage builds them; tests write them by hand).

Every fact has `captured_at`: when it happened at the source (a GPC signal's observed_at, a relationship's
occurred_at, a registry snapshot's downloaded_at), and `received_at`: when it reached a system of record.
`own` says whether the fact's subject resolved to this customer (None: the fact names only a contact point).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ConsentFact:
    """A consent record: a status for a channel (None for person scope) and purpose, by some method."""

    id: str
    source: str
    channel: str | None
    purpose: str
    status: str
    method: str
    scope: str
    captured_at: datetime
    received_at: datetime
    contact_point: str | None = None
    expires_at: datetime | None = None
    evidence: Mapping | None = None
    own: bool | None = True
    kind = "consent"


@dataclass(frozen=True)
class SuppressionFact:
    """An entry on a suppression list, for a contact point or (contact_point None) the whole person."""

    id: str
    source: str
    list: str
    captured_at: datetime
    received_at: datetime
    contact_point: str | None = None
    expires_at: datetime | None = None
    own: bool | None = True
    kind = "suppression"


@dataclass(frozen=True)
class DncRequestFact:
    """A company-specific do-not-call (or do-not-text) request, for a number or the whole person."""

    id: str
    source: str
    channel: str
    captured_at: datetime
    received_at: datetime
    phone: str | None = None
    own: bool | None = True
    kind = "dnc_request"


@dataclass(frozen=True)
class GpcFact:
    """A Global Privacy Control signal observed for the person."""

    id: str
    source: str
    captured_at: datetime
    received_at: datetime
    kind = "gpc_signal"


@dataclass(frozen=True)
class RelationshipFact:
    """A purchase or inquiry: drives EBR, CASL implied consent and UK soft opt-in."""

    id: str
    source: str
    relationship: str  # purchase | inquiry
    captured_at: datetime
    received_at: datetime
    soft_opt_in_notice_given: bool = False
    kind = "relationship"


@dataclass(frozen=True)
class RegistrySnapshotFact:
    """A national DNC registry snapshot; `listed` holds (at least) the customer's listed numbers."""

    id: str
    source: str
    registry: str
    captured_at: datetime
    received_at: datetime
    listed: frozenset[str] = frozenset()
    kind = "registry_snapshot"


@dataclass(frozen=True)
class SubjectFacts:
    """Everything known about one customer that consent decisions read."""

    customer_id: str
    jurisdiction: str | None
    contact_points: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> values
    consents: tuple[ConsentFact, ...] = ()
    suppressions: tuple[SuppressionFact, ...] = ()
    dnc_requests: tuple[DncRequestFact, ...] = ()
    gpc_signals: tuple[GpcFact, ...] = ()
    relationships: tuple[RelationshipFact, ...] = ()
    registry_snapshots: tuple[RegistrySnapshotFact, ...] = ()

    def points(self, kind: str) -> tuple[str, ...]:
        """The customer's contact points for a channel kind (`any`: emails, then phones)."""
        if kind == "any":
            return tuple(self.contact_points.get("email", ())) + tuple(self.contact_points.get("phone", ()))
        return tuple(self.contact_points.get(kind, ()))
