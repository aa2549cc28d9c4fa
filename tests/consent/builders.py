"""Hand-written facts for evaluator tests: short constructors with sensible defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consent.facts import (
    ConsentFact,
    DncRequestFact,
    GpcFact,
    RegistrySnapshotFact,
    RelationshipFact,
    SubjectFacts,
    SuppressionFact,
)
from consent.policy_loader import load_policy, reference_text

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=400)
EVIDENCE = {"capture_source": "signup_form", "notice_version": "v3"}
REFERENCE = load_policy(reference_text())

_counter = iter(range(1, 10**9))


def day(n: float) -> datetime:
    """T0 plus n days."""
    return T0 + timedelta(days=n)


def rec(status="opt_in", *, at=T0, channel="email", purpose="marketing", source="crm", method=None, scope=None,
        cp=None, expires=None, evidence=EVIDENCE, own=True, id=None, received=None) -> ConsentFact:  # fmt: skip
    """A consent record; scope defaults to contact_point when `cp` is given, else channel."""
    if method is None:
        method = {"opt_in": "web_form", "pending": "double_opt_in_pending"}.get(status, "unsubscribe_link")
    scope = scope or ("contact_point" if cp else "channel")
    return ConsentFact(
        id=id or f"r{next(_counter)}",
        source=source,
        channel=None if scope == "person" else channel,
        purpose=purpose,
        status=status,
        method=method,
        scope=scope,
        captured_at=at,
        received_at=received or at,
        contact_point=cp,
        expires_at=expires,
        evidence=evidence,
        own=own,
    )


def suppression(list_name, cp=None, *, at=T0, expires=None, own=True, source="marketing") -> SuppressionFact:
    return SuppressionFact(f"s{next(_counter)}", source, list_name, at, at, cp, expires, own)


def dnc_request(phone=None, *, at=T0, channel="voice", own=True, source="support") -> DncRequestFact:
    return DncRequestFact(f"d{next(_counter)}", source, channel, at, at, phone, own)


def gpc(at=T0) -> GpcFact:
    return GpcFact(f"g{next(_counter)}", "product", at, at)


def relationship(kind="purchase", at=T0, notice=False, source="billing") -> RelationshipFact:
    return RelationshipFact(f"p{next(_counter)}", source, kind, at, at, notice)


def registry(listed=(), at=T0, name="us_national") -> RegistrySnapshotFact:
    return RegistrySnapshotFact(f"reg-{at:%Y%m%d}", "registry", name, at, at, frozenset(listed))


EMAIL = "ann@example.com"
EMAIL2 = "ann.work@example.com"
PHONE = "+14155550100"
PHONE2 = "+14155550199"


def customer(
    jurisdiction="DE", *, emails=(EMAIL,), phones=(PHONE,), postal=(), cid="cus_1", **facts
) -> SubjectFacts:
    """A customer with contact points and any facts given as keyword tuples."""
    points = {"email": tuple(emails), "phone": tuple(phones), "postal": tuple(postal)}
    return SubjectFacts(cid, jurisdiction, points, **{k: tuple(v) for k, v in facts.items()})
