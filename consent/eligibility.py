"""Eligibility checks from the unified table: one indexed read per check, live evaluation only when needed."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session

from consent import subjects as subject_lookup
from consent.decision import Decision
from consent.decision_reader import (
    ALLOWED,
    BY_ID,
    BY_KIND,
    BY_SOURCE,
    CUSTOMER,
    EVALUATED,
    LAPSED,
    POINT,
    POLICY,
    REASON,
    VALID_UNTIL,
    StoredRow,
    instant,
    paused_gc,
    read_rows,
)
from consent.decisions import facts_for, normalise_point
from consent.evaluator import check_query, decide
from consent.policies import active_policy, active_policy_cached
from core import clock, metrics
from core.errors import InvalidInput, PayloadTooLarge
from identity.normalise import normalise_contact_point

SUBJECT_KINDS = ("customer", "email", "phone", "source_key")
MAX_BULK = 100_000
MAX_BULK_AT = 10_000
SOURCED = "sourced"  # a `detail` level: who decided, without the instants


class Eligibility(NamedTuple):
    """The answer for one subject: allowed, reason, the contact point to use, and where it came from."""

    subject: str
    allowed: bool
    reason: str
    contact_point: str | None = None
    customer_id: str | None = None
    policy_version: str | None = None
    as_of: datetime | None = None
    valid_until: datetime | None = None
    decided_by_kind: str | None = None
    decided_by_id: str | None = None
    decided_by_source: str | None = None
    basis: str = "stored"  # stored | live


def _from_row(subject: str, row: StoredRow) -> Eligibility:
    return Eligibility(
        subject,
        bool(row[ALLOWED]),
        row[REASON],
        row[POINT] or None,
        row[CUSTOMER],
        row[POLICY],
        instant(row[EVALUATED]),
        instant(row[VALID_UNTIL]),
        row[BY_KIND],
        row[BY_ID],
        row[BY_SOURCE],
    )


def _brief(subject: str, row: StoredRow) -> Eligibility:
    # Bulk answers carry allowed, reason, contact point and customer: no instants to convert.
    return Eligibility(subject, bool(row[ALLOWED]), row[REASON], row[POINT] or None, row[CUSTOMER])


def _sourced(subject: str, row: StoredRow) -> Eligibility:
    # Exports keep the record behind each answer but not its instants.
    r = row
    return Eligibility(subject, bool(r[ALLOWED]), r[REASON], r[POINT] or None, r[CUSTOMER], r[POLICY],
                       None, None, r[BY_KIND], r[BY_ID], r[BY_SOURCE])  # fmt: skip


def _from_decision(subject: str, d: Decision) -> Eligibility:
    by = d.decided_by
    return Eligibility(
        subject,
        d.allowed,
        d.reason,
        d.contact_point,
        d.customer_id,
        d.policy_version,
        d.as_of,
        d.valid_until,
        by.kind if by else None,
        by.id if by else None,
        by.source if by else None,
        "live",
    )


def _pick(subject: str, rows, point: str | None, make) -> Eligibility | None:
    """A customer's answer from its rows: the given contact point, else the first allowed one, else the first."""
    # Plain loops: this runs once per subject of a 100,000-subject bulk check.
    if point is not None:
        for r in rows:
            if r[POINT] == point:
                return make(subject, r)
        return None
    for r in rows:
        if r[ALLOWED]:
            return make(subject, r)
    return make(subject, rows[0]) if rows else None


def _combine(subject: str, answers: list[Eligibility]) -> Eligibility:
    """Several customers share the subject (an address, a number): allowed only if every one is allowed."""
    if not answers:
        return Eligibility(subject, False, "unknown_customer")
    return next((a for a in answers if not a.allowed), answers[0])


class _Checker:
    """Shared state of one check request: channel, purpose, instant, and the live fallback."""

    def __init__(self, session: Session, channel: str, purpose: str, at: datetime | None, detail: bool | str):
        self.session, self.channel, self.purpose, self.at = session, channel, purpose, at
        self.make = _sourced if detail == SOURCED else _from_row if detail else _brief
        self.now = clock.now()
        self._policy = None
        self._live_policy = None
        check_query(self.policy, channel, purpose)

    @property
    def policy(self):
        if self._policy is None:
            self._policy = active_policy_cached(self.session)
        return self._policy

    def rows(self, customer_ids: Sequence[str]) -> dict[str, list[StoredRow]]:
        return read_rows(self.session, list(customer_ids), self.channel, self.purpose, self.now)

    def live(self, subject: str, customer_id: str, point: str | None) -> Eligibility:
        if self._live_policy is None:
            self._live_policy = active_policy(self.session)  # authoritative, not the cached copy
        facts = facts_for(self.session, customer_id)
        d = decide(
            facts,
            self._live_policy,
            channel=self.channel,
            purpose=self.purpose,
            contact_point=point,
            at=self.at or self.now,
        )
        return _from_decision(subject, d)

    def answer(self, subject: str, customer_id: str, rows: list, point: str | None) -> Eligibility:
        if self.at is None and rows:
            lapsed = False
            for r in rows:
                lapsed = lapsed or r[LAPSED]
            if not lapsed:
                picked = _pick(subject, rows, point, self.make)
                if picked is not None:
                    return picked
        return self.live(subject, customer_id, point)


def check(
    session: Session,
    *,
    kind: str,
    value: str,
    channel: str,
    purpose: str,
    contact_point: str | None = None,
    at: datetime | None = None,
) -> Eligibility:
    """One subject (customer id, email, phone or `system:key` source key) for a channel and purpose."""
    if kind == "customer" and at is None and contact_point is None:
        # The hot path: one indexed read of the customer's stored rows, nothing else.
        check_query(active_policy_cached(session), channel, purpose)
        rows = read_rows(session, [value], channel, purpose, clock.now()).get(value)
        if rows and not any(r[LAPSED] for r in rows):
            answer = _pick(value, rows, None, _from_row)
            metrics.count_decision(answer.reason, allowed=answer.allowed)
            return answer
    return check_many(
        session,
        subjects=[(kind, value)],
        channel=channel,
        purpose=purpose,
        at=at,
        contact_point=contact_point,
        field="",
        detail=True,
    )[0]


def check_many(
    session: Session,
    *,
    subjects: Sequence[tuple[str, str]],
    channel: str,
    purpose: str,
    at: datetime | None = None,
    contact_point: str | None = None,
    field: str = "subjects",
    detail: bool | str = False,
    swap_denied_point: bool = False,
) -> list[Eligibility]:
    """Many subjects at once (up to 100,000; 10,000 with `at`), answers in the order given.

    `detail` fills policy version, instants and decided_by (single checks); bulk answers skip them, and
    `detail=SOURCED` fills policy version and decided_by only (exports). With `swap_denied_point`, an email
    or phone that is denied but names exactly one customer gets that customer's first allowed point instead.
    """
    check_limit(len(subjects), at is not None, field or "subjects")
    with paused_gc(len(subjects) > 1000):
        answers = _check_many(
            session, subjects, channel, purpose, at, contact_point, field, detail, swap_denied_point
        )
    for (reason, allowed), n in Counter((a.reason, a.allowed) for a in answers).items():
        metrics.count_decision(reason, allowed=allowed, n=n)
    return answers


def _check_many(
    session, subjects, channel, purpose, at, contact_point, field, detail, swap=False
) -> list[Eligibility]:
    checker = _Checker(session, channel, purpose, at, detail)
    given_point = normalise_point(checker.policy, channel, contact_point) if contact_point else None
    policy = checker.policy
    points = _normalised_points(subjects, field, policy.evaluation.phone_default_region)
    # An email or phone is the contact point to check when the channel uses that kind; otherwise
    # (a phone given for an email check) it only identifies the customer.
    kind_used = policy.channels[channel].contact_point_kind
    points = {i: p for i, p in points.items() if kind_used in ("any", subjects[i][0])}
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, value in subjects:
        by_kind[kind].append(value)
    customers_of: dict[tuple[str, str], list[str]] = {}
    direct: dict[str, list] = {}
    if by_kind.get("customer") and at is None:
        direct = checker.rows(by_kind["customer"])
        for cid in direct:
            customers_of[("customer", cid)] = [cid]
    for kind, values in by_kind.items():
        pending = [v for v in values if (kind, v) not in customers_of]
        for value, ids in subject_lookup.resolve(session, kind, pending).items():
            customers_of[(kind, value)] = sorted(ids)
    needed = {cid for ids in customers_of.values() for cid in ids if cid not in direct}
    rows = {**direct, **(checker.rows(sorted(needed)) if needed and at is None else {})}
    out = []
    answer = checker.answer
    for i, (kind, value) in enumerate(subjects):
        point = points.get(i, given_point)
        ids = customers_of[(kind, value)]
        if len(ids) == 1:  # the common case: one customer, no combining
            got = answer(value, ids[0], rows.get(ids[0], ()), point)
            if swap and point is not None and not got.allowed and kind in ("email", "phone"):
                # The person's other points are in the rows already read: no second lookup.
                other = answer(value, ids[0], rows.get(ids[0], ()), None)
                got = other if other.allowed else got
            out.append(got)
        else:
            out.append(_combine(value, [answer(value, cid, rows.get(cid, ()), point) for cid in ids]))
    return out


def check_points(
    session: Session,
    *,
    pairs: Sequence[tuple[str, str | None]],
    channel: str,
    purpose: str,
    at: datetime | None = None,
) -> list[Eligibility]:
    """Each `(customer id, contact point)` as an export stored it: that point's answer now (or at `at`)."""
    check_limit(len(pairs), at is not None, "pairs")
    checker = _Checker(session, channel, purpose, at, detail=False)
    rows = checker.rows([cid for cid, _ in pairs]) if at is None else {}
    return [checker.answer(cid, cid, rows.get(cid, ()), point) for cid, point in pairs]


def check_limit(count: int, point_in_time: bool, field: str = "subjects") -> None:
    """PayloadTooLarge naming the field when a request asks for too many subjects."""
    limit = MAX_BULK_AT if point_in_time else MAX_BULK
    if count > limit:
        raise PayloadTooLarge(
            f"{count} subjects is over the limit of {limit} per request; split the list", field=field
        )


def _normalised_points(subjects: Sequence[tuple[str, str]], field: str, region: str) -> dict[int, str]:
    """Email and phone subjects are their own contact point (normalised); bad ones name `subjects[i]`."""
    points = {}
    for i, (kind, value) in enumerate(subjects):
        if kind not in SUBJECT_KINDS:
            raise InvalidInput(
                f"unknown subject kind {kind!r}; use one of {', '.join(SUBJECT_KINDS)}",
                field=f"{field}[{i}]" if field else "kind",
            )
        if kind in ("email", "phone"):
            try:
                points[i] = normalise_contact_point(kind, value, region)
            except InvalidInput as exc:
                name = f"{field}[{i}].{kind}" if field else kind
                raise InvalidInput(f"{name}: {exc.message}", field=name) from None
    return points
