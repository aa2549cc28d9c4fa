"""One chunk of a segment: subjects resolved to customers, checked in bulk, collapsed, and given a reason each.

A person named by an email or phone keeps that point when it is allowed; when it is not (opted out,
bounced) and the identifier names exactly one customer, the customer's other points are checked and
the first allowed one is used. A point shared by several people (a household phone) is never swapped
for another: it is excluded with the reason that binds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlmodel import Session

from consent import eligibility
from consent.eligibility import Eligibility
from consent.policy_model import code_matches
from core.errors import InvalidInput
from identity import service as identity
from identity.normalise import normalise_contact_point

DUPLICATE, SAME_CUSTOMER, UNKNOWN = "duplicate", "same_customer", "unknown_customer"
INVALID, FILTERED = "invalid_subject", "jurisdiction_filtered"
# Reasons that exclude a row without a decision behind it (the rest are consent reason codes).
COLLAPSED = (DUPLICATE, SAME_CUSTOMER)


class Outcome(NamedTuple):
    """What became of one segment row."""

    kind: str
    value: str
    key: str  # `kind:normalised value`, the identity of the subject for collapsing duplicates
    customer_id: str | None
    included: bool
    reason: str
    contact_point: str | None = None
    decided_by_kind: str | None = None
    decided_by_id: str | None = None
    decided_by_source: str | None = None


def subject_key(kind: str, value: str, region: str) -> str | None:
    """The normalised identity of a subject, or None when an email or phone is malformed."""
    if kind in ("email", "phone"):
        try:
            return f"{kind}:{normalise_contact_point(kind, value, region)}"
        except InvalidInput:
            return None
    return f"{kind}:{value}"


def _outcome(kind: str, value: str, key: str, answer: Eligibility, reason: str | None = None) -> Outcome:
    return Outcome(
        kind, value, key, answer.customer_id, answer.allowed and reason is None, reason or answer.reason,
        answer.contact_point, answer.decided_by_kind, answer.decided_by_id, answer.decided_by_source,
    )  # fmt: skip


def classify(
    session: Session,
    chunk: Sequence[tuple[str, str]],
    *,
    channel: str,
    purpose: str,
    region: str,
    jurisdictions: Sequence[str] = (),
) -> list[Outcome]:
    """An outcome per row, in order; duplicates and second identifiers of a person within the chunk collapsed."""
    keys = [subject_key(kind, value, region) for kind, value in chunk]
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key is not None:
            first.setdefault(key, i)
    unique = list(first.values())
    answers = dict(zip(unique, _check(session, [chunk[i] for i in unique], channel, purpose), strict=True))
    allowed_in = _jurisdiction_filter(session, answers.values(), jurisdictions)
    out: list[Outcome] = []
    owner: dict[str, str] = {}  # customer id -> the key that named it first in this chunk
    for i, (kind, value) in enumerate(chunk):
        key = keys[i]
        if key is None:
            out.append(Outcome(kind, value, f"{kind}:{value}", None, False, INVALID))
            continue
        if first[key] != i:
            out.append(Outcome(kind, value, key, None, False, DUPLICATE))
            continue
        answer = answers[i]
        cid = answer.customer_id
        if cid is None:
            out.append(Outcome(kind, value, key, None, False, UNKNOWN))
        elif cid in owner:
            out.append(Outcome(kind, value, key, cid, False, SAME_CUSTOMER))
        else:
            owner[cid] = key
            filtered = FILTERED if allowed_in is not None and cid not in allowed_in else None
            out.append(_outcome(kind, value, key, answer, filtered))
    return out


def _check(session, subjects, channel, purpose) -> list[Eligibility]:
    if not subjects:
        return []
    return eligibility.check_many(
        session, subjects=subjects, channel=channel, purpose=purpose, field="segment",
        detail=eligibility.SOURCED, swap_denied_point=True,
    )  # fmt: skip


def _jurisdiction_filter(session, answers, jurisdictions: Sequence[str]) -> set[str] | None:
    """Customers whose jurisdiction matches the filter (`US` matches `US-CA`); None when there is no filter."""
    if not jurisdictions:
        return None
    ids = sorted({a.customer_id for a in answers if a.customer_id})
    found = identity.jurisdictions_of(session, ids)
    wanted = tuple(jurisdictions)
    return {cid for cid, j in found.items() if j and any(code_matches(w, j) for w in wanted)}
