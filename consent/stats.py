"""Consent-level aggregates for dashboards: counts and shares only, never a person's data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

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
    channels = list(purposes)
    counts = session.execute(_mask_counts(purposes)).all()
    by_code: dict[str, JurisdictionShare] = {}
    totals = {c: [0, 0] for c in channels}
    # Each row: a jurisdiction, which channels its customers have decisions for and may be contacted on
    # (bit masks), and how many customers share that combination.
    for code, present, allowed, n in counts:
        code = code or UNKNOWN
        entry = by_code.setdefault(code, JurisdictionShare(code, Share(0, 0)))
        entry.any_channel = Share(
            entry.any_channel.customers + n, entry.any_channel.contactable + n * bool(allowed)
        )
        for i, channel in enumerate(channels):
            if int(present) >> i & 1:
                ok = n if int(allowed) >> i & 1 else 0
                old = entry.channels.get(channel, Share(0, 0))
                entry.channels[channel] = Share(old.customers + n, old.contactable + ok)
                totals[channel][0] += n
                totals[channel][1] += ok
    ordered = sorted(by_code.values(), key=lambda j: (-j.any_channel.customers, j.jurisdiction))
    return Contactability(
        policy_version=policy.version,
        purposes=purposes,
        channels={c: Share(*totals[c]) for c in purposes},
        jurisdictions=ordered,
    )


def _mask_counts(purposes: dict[str, str]) -> sa.Select:
    """Customers per (jurisdiction, channels with decisions, channels allowed), channels as bits.

    One pass over the table in key order (a customer's rows sit together), one join to identity.
    """
    bit = sa.case(*((DEC.c.channel == c, 1 << i) for i, c in enumerate(purposes)), else_=0)
    pairs = sa.or_(*(sa.and_(DEC.c.channel == c, DEC.c.purpose == p) for c, p in purposes.items()))
    per_customer = (
        sa.select(
            DEC.c.customer_id,
            sa.func.sum(sa.distinct(bit)).label("present"),
            sa.func.sum(sa.distinct(sa.case((DEC.c.allowed.is_(True), bit), else_=0))).label("allowed"),
        )
        .where(pairs)
        .group_by(DEC.c.customer_id)
        .subquery()
    )
    people = identity.active_customers_query().subquery()
    return (
        sa.select(people.c.jurisdiction, per_customer.c.present, per_customer.c.allowed, sa.func.count())
        .select_from(per_customer.join(people, people.c.customer_id == per_customer.c.customer_id))
        .group_by(people.c.jurisdiction, per_customer.c.present, per_customer.c.allowed)
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


def _lag_and_arrival(session: Session) -> tuple:
    """Seconds from capture to arrival, and the arrival as seconds since the epoch (plain floats, no parsing)."""
    if session.get_bind().dialect.name == "postgresql":
        return (
            sa.literal_column("EXTRACT(EPOCH FROM (received_at - captured_at))"),
            sa.literal_column("EXTRACT(EPOCH FROM received_at)"),
        )
    return (
        sa.literal_column("(julianday(received_at) - julianday(captured_at)) * 86400.0"),
        sa.literal_column("(julianday(received_at) - 2440587.5) * 86400.0"),
    )


def nearest_rank(ordered: list[float], percent: int) -> float:
    """The nearest-rank percentile of sorted values: the smallest value with `percent` % at or below it."""
    return ordered[max(0, -(-len(ordered) * percent // 100) - 1)] if ordered else 0.0


def arrivals(session: Session, *, since: datetime | None = None) -> list[SourceArrivals]:
    """Per source system: records received (since `since`), median and 90th percentile capture-to-arrival lag.

    One pass over the records' two instants as numbers; percentiles are nearest-rank.
    """
    lag, arrived = _lag_and_arrival(session)
    query = sa.select(REC.c.source, lag, arrived)
    if since is not None:
        query = query.where(REC.c.received_at >= since)
    lags: dict[str, list[float]] = defaultdict(list)
    latest: dict[str, float] = {}
    for source, seconds, epoch in session.execute(query):
        lags[source].append(float(seconds))
        latest[source] = max(latest.get(source, epoch), epoch)
    out = []
    for source in sorted(lags):
        ordered = sorted(lags[source])
        out.append(
            SourceArrivals(
                source=source,
                records=len(ordered),
                median_lag_seconds=round(nearest_rank(ordered, 50)),
                p90_lag_seconds=round(nearest_rank(ordered, 90)),
                latest_received_at=datetime.fromtimestamp(round(float(latest[source])), tz=UTC),
            )
        )
    return out
