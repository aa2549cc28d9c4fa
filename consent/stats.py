"""Consent-level aggregates for dashboards: counts and shares only, never a person's data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from consent.models import ConsentRecordRow, DecisionRow
from consent.policies import active_policy
from consent.policy_model import Policy
from core import clock
from identity import service as identity

DEC = DecisionRow.__table__
REC = ConsentRecordRow.__table__
PERSON_WIDE = "all channels"  # opt-outs recorded for the person, not for one channel
UNKNOWN = "unknown"


def headline_purposes(policy: Policy) -> dict[str, str]:
    """Per channel, the broadest purpose that needs consent and is kept in the table (email -> marketing)."""
    out = {}
    for channel in policy.channels.values():
        wanted = [p for p in channel.purposes if policy.requires_consent(p)]
        if wanted:
            out[channel.name] = min(wanted, key=lambda p: len(policy.ancestors(p)))
    return out


@dataclass(frozen=True)
class Share:
    """How many customers were counted and how many of them may be contacted."""

    customers: int
    contactable: int

    @property
    def percent(self) -> float:
        """The contactable share in percent (0 when nobody was counted)."""
        return 100.0 * self.contactable / self.customers if self.customers else 0.0


@dataclass
class JurisdictionShare:
    """A jurisdiction's customers: contactable on at least one channel, and per channel."""

    jurisdiction: str
    any_channel: Share
    channels: dict[str, Share] = field(default_factory=dict)


@dataclass
class Contactability:
    """Contactable share per channel (for its headline purpose) and per jurisdiction, from the unified table."""

    policy_version: str
    purposes: dict[str, str]
    channels: dict[str, Share]
    jurisdictions: list[JurisdictionShare]


def contactability(session: Session) -> Contactability:
    """Shares of customers with an allowed decision per channel and jurisdiction (as stored in the table)."""
    policy = active_policy(session)
    purposes = headline_purposes(policy)
    if not purposes:
        return Contactability(policy.version, purposes, {}, [])
    pairs = sa.or_(*(sa.and_(DEC.c.channel == c, DEC.c.purpose == p) for c, p in purposes.items()))
    people = identity.active_customers_query().subquery()
    allowed_id = sa.case((DEC.c.allowed.is_(True), DEC.c.customer_id))
    counted = (sa.func.count(sa.distinct(DEC.c.customer_id)), sa.func.count(sa.distinct(allowed_id)))
    joined = DEC.join(people, people.c.customer_id == DEC.c.customer_id)
    per_channel = session.execute(
        sa.select(people.c.jurisdiction, DEC.c.channel, *counted)
        .select_from(joined)
        .where(pairs)
        .group_by(people.c.jurisdiction, DEC.c.channel)
    ).all()
    per_jurisdiction = session.execute(
        sa.select(people.c.jurisdiction, *counted)
        .select_from(joined)
        .where(pairs)
        .group_by(people.c.jurisdiction)
    ).all()
    by_code = {
        (code or UNKNOWN): JurisdictionShare(code or UNKNOWN, Share(total, allowed))
        for code, total, allowed in per_jurisdiction
    }
    totals: dict[str, list[int]] = {c: [0, 0] for c in purposes}
    for code, channel, total, allowed in per_channel:
        by_code[code or UNKNOWN].channels[channel] = Share(total, allowed)
        # Customers of different jurisdictions are different customers, so the sums are exact.
        totals[channel][0] += total
        totals[channel][1] += allowed
    ordered = sorted(by_code.values(), key=lambda j: (-j.any_channel.customers, j.jurisdiction))
    return Contactability(
        policy_version=policy.version,
        purposes=purposes,
        channels={c: Share(*totals[c]) for c in purposes},
        jurisdictions=ordered,
    )


@dataclass
class OptOutTrend:
    """Opt-outs and objections per month of `captured_at`, one series per channel."""

    months: list[str]
    series: dict[str, list[int]]

    @property
    def total(self) -> int:
        """Every opt-out counted."""
        return sum(sum(v) for v in self.series.values())


def month_labels(now: datetime, months: int) -> list[str]:
    """The last `months` calendar months up to `now`, oldest first, as `YYYY-MM`."""
    index = now.year * 12 + now.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - months + 1, index + 1)]


def _month_of(session: Session, column: sa.Column):
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM")
    return sa.func.substr(column, 1, 7)  # SQLite keeps naive UTC text: 'YYYY-MM-DD HH:MM:SS.ffffff'


def opt_out_trend(session: Session, *, months: int = 24, now: datetime | None = None) -> OptOutTrend:
    """Monthly counts of opt-out and objection records by the month they were captured at the source."""
    now = now or clock.now()
    labels = month_labels(now, months)
    start = datetime(int(labels[0][:4]), int(labels[0][5:]), 1, tzinfo=now.tzinfo)
    statuses = sorted(active_policy(session).opt_out_statuses)
    month = _month_of(session, REC.c.captured_at).label("month")
    rows = session.execute(
        sa.select(month, REC.c.channel, sa.func.count())
        .where(REC.c.status.in_(statuses), REC.c.captured_at >= start, REC.c.captured_at <= now)
        .group_by(month, REC.c.channel)
    ).all()
    position = {m: i for i, m in enumerate(labels)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(labels))
    for label, channel, count in rows:
        if label in position:
            series[channel or PERSON_WIDE][position[label]] += count
    return OptOutTrend(labels, dict(sorted(series.items(), key=lambda kv: (kv[0] == PERSON_WIDE, kv[0]))))


@dataclass(frozen=True)
class SourceArrivals:
    """Consent records one source system delivered, and how long after capture they arrived."""

    source: str
    records: int
    median_lag_seconds: float
    p90_lag_seconds: float
    latest_received_at: datetime | None


def _lag_seconds(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return sa.literal_column("EXTRACT(EPOCH FROM (received_at - captured_at))")
    return sa.literal_column("(julianday(received_at) - julianday(captured_at)) * 86400.0")


def arrivals(session: Session, *, since: datetime | None = None) -> list[SourceArrivals]:
    """Per source system: records received (since `since`), median and 90th percentile capture-to-arrival lag.

    Percentiles are nearest-rank, computed by the database with window functions (no rows leave it).
    """
    where = [REC.c.received_at >= since] if since is not None else []
    lags = sa.select(REC.c.source, _lag_seconds(session).label("lag")).where(*where).subquery()
    ranked = sa.select(
        lags.c.source,
        lags.c.lag,
        sa.func.row_number().over(partition_by=lags.c.source, order_by=lags.c.lag).label("rn"),
        sa.func.count().over(partition_by=lags.c.source).label("n"),
    ).subquery()
    ranks = {50: (ranked.c.n * 50 + 99) // 100, 90: (ranked.c.n * 90 + 99) // 100}
    picked = session.execute(
        sa.select(ranked.c.source, ranked.c.rn, ranked.c.lag, ranks[50], ranks[90]).where(
            sa.or_(ranked.c.rn == ranks[50], ranked.c.rn == ranks[90])
        )
    ).all()
    lag: dict[str, dict[int, float]] = defaultdict(dict)
    for source, rn, value, median_rank, p90_rank in picked:
        if rn == median_rank:
            lag[source][50] = float(value)
        if rn == p90_rank:
            lag[source][90] = float(value)
    counts = session.execute(
        sa.select(REC.c.source, sa.func.count(), sa.func.max(REC.c.received_at))
        .where(*where)
        .group_by(REC.c.source)
        .order_by(REC.c.source)
    ).all()
    return [
        SourceArrivals(source, n, round(lag[source].get(50, 0.0)), round(lag[source].get(90, 0.0)), latest)
        for source, n, latest in counts
    ]
