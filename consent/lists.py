"""Suppression lists, company do-not-call requests, GPC signals and registry snapshots as compliance reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from consent.models import DncRequestRow, GpcSignalRow, RegistrySnapshotRow, SuppressionRow
from consent.policies import active_policy
from consent.policy_model import Policy
from core import clock
from core.errors import InvalidInput

SUP = SuppressionRow.__table__
DNC = DncRequestRow.__table__
GPC = GpcSignalRow.__table__
SNAP = RegistrySnapshotRow.__table__
WARN_DAYS = 5  # a registry snapshot this close to its maximum age gets a warning
KINDS = ("suppression", "dnc_request", "gpc_signal")
PAGE = 50


@dataclass(frozen=True)
class ListSummary:
    """One suppression list: entries, how many still bind (not expired), and what the policy blocks with it."""

    name: str
    total: int
    live: int
    latest_captured_at: datetime | None
    blocks: tuple[str, ...] = ()

    @property
    def expired(self) -> int:
        """Entries whose `expires_at` has passed."""
        return self.total - self.live


@dataclass(frozen=True)
class Snapshot:
    """A stored registry snapshot."""

    id: str
    source: str
    downloaded_at: datetime
    numbers: int
    age_days: float


@dataclass
class RegistryStatus:
    """A national do-not-call registry: its snapshots and whether the newest is still fresh enough."""

    registry: str
    channels: tuple[str, ...]
    max_age: str
    snapshots: list[Snapshot] = field(default_factory=list)
    state: str = "missing"  # ok | warning | stale | missing
    stale_at: datetime | None = None

    @property
    def newest(self) -> Snapshot | None:
        """The most recently downloaded snapshot."""
        return self.snapshots[0] if self.snapshots else None

    @property
    def days_left(self) -> float | None:
        """Days until the newest snapshot turns stale (negative once it has)."""
        if self.stale_at is None:
            return None
        return (self.stale_at - clock.now()).total_seconds() / 86400


@dataclass
class SuppressionOverview:
    """Everything that blocks contact regardless of consent, as of `now`."""

    now: datetime
    lists: list[ListSummary]
    dnc_requests: dict[str, int]
    dnc_latest: datetime | None
    gpc_signals: int
    gpc_latest: datetime | None
    registries: list[RegistryStatus]


def _blocks(policy: Policy, name: str) -> tuple[str, ...]:
    out = []
    for block in policy.absolute_blocks:
        if name in block.lists:
            channels = ", ".join(sorted(block.channels)) if block.channels else "every channel"
            purposes = ", ".join(block.purposes) if block.purposes else "every purpose"
            out.append(f"{channels}: {purposes}")
    return tuple(out)


def overview(session: Session, *, now: datetime | None = None) -> SuppressionOverview:
    """Counts per suppression list (live and expired), do-not-call requests, GPC signals, registry freshness."""
    now = now or clock.now()
    policy = active_policy(session)
    live = sa.func.sum(sa.case((sa.or_(SUP.c.expires_at.is_(None), SUP.c.expires_at > now), 1), else_=0))
    rows = session.execute(
        sa.select(SUP.c.list, sa.func.count(), live, sa.func.max(SUP.c.captured_at)).group_by(SUP.c.list)
    ).all()
    found = {name: (total, int(alive or 0), latest) for name, total, alive, latest in rows}
    names = sorted(set(policy.suppression_lists) | set(found))
    lists = [ListSummary(n, *found.get(n, (0, 0, None)), blocks=_blocks(policy, n)) for n in names]
    dnc = session.execute(sa.select(DNC.c.channel, sa.func.count()).group_by(DNC.c.channel)).all()
    dnc_latest = session.execute(sa.select(sa.func.max(DNC.c.captured_at))).scalar()
    gpc_count, gpc_latest = session.execute(sa.select(sa.func.count(), sa.func.max(GPC.c.observed_at))).one()
    return SuppressionOverview(
        now=now,
        lists=lists,
        dnc_requests=dict(sorted(dnc)),
        dnc_latest=dnc_latest,
        gpc_signals=gpc_count,
        gpc_latest=gpc_latest,
        registries=registries(session, policy=policy, now=now),
    )


def registries(
    session: Session, *, policy: Policy | None = None, now: datetime | None = None
) -> list[RegistryStatus]:
    """Each registry the policy scrubs against, its snapshots (newest first) and freshness at `now`."""
    now = now or clock.now()
    policy = policy or active_policy(session)
    specs: dict[str, RegistryStatus] = {}
    ages = {}
    for entry in policy.jurisdictions:
        for key, rule in entry.rules.items():
            if rule.dnc is None:
                continue
            name, age = rule.dnc.registry, rule.dnc.max_snapshot_age
            status = specs.setdefault(name, RegistryStatus(name, (), str(age)))
            # Several rules may scrub against one registry: the strictest maximum age applies.
            if name not in ages or age.after(now) < ages[name].after(now):
                ages[name], status.max_age = age, str(age)
            channel = key.split(".", 1)[0]
            if channel not in status.channels:
                status.channels = (*status.channels, channel)
    for name, status in specs.items():
        status.snapshots = _snapshots(session, name, now)
        if status.snapshots:
            status.stale_at = ages[name].after(status.snapshots[0].downloaded_at)
            status.state = _state(status.stale_at, now)
    return sorted(specs.values(), key=lambda s: s.registry)


def _state(stale_at: datetime, now: datetime) -> str:
    if stale_at <= now:
        return "stale"
    return "warning" if stale_at - now <= timedelta(days=WARN_DAYS) else "ok"


def _snapshots(session: Session, registry: str, now: datetime) -> list[Snapshot]:
    rows = session.execute(
        sa.select(SNAP.c.source_id, SNAP.c.source, SNAP.c.downloaded_at, SNAP.c.number_count)
        .where(SNAP.c.registry_name == registry)
        .order_by(SNAP.c.downloaded_at.desc(), SNAP.c.seq.desc())
        .limit(20)
    ).all()
    return [
        Snapshot(sid, source, when, count, round((now - when).total_seconds() / 86400, 1))
        for sid, source, when, count in rows
    ]


@dataclass(frozen=True)
class Entry:
    """One entry on a list, a do-not-call request or a GPC signal, as stored."""

    seq: int
    kind: str
    label: str  # list name, or channel of a do-not-call request
    contact_point: str | None
    subject_kind: str | None
    subject: str | None
    source: str
    source_id: str
    captured_at: datetime
    received_at: datetime
    expires_at: datetime | None = None
    live: bool = True


@dataclass
class EntryPage:
    """A page of entries, newest stored first; `next_before` continues it."""

    kind: str
    list_name: str | None
    entries: list[Entry]
    next_before: int | None


def entries(
    session: Session,
    *,
    kind: str,
    list_name: str | None = None,
    before: int | None = None,
    limit: int = PAGE,
    now: datetime | None = None,
) -> EntryPage:
    """Entries of one kind (`suppression` of one list, `dnc_request` or `gpc_signal`), newest first."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    now = now or clock.now()
    table = {"suppression": SUP, "dnc_request": DNC, "gpc_signal": GPC}[kind]
    query = sa.select(table).order_by(table.c.seq.desc()).limit(limit + 1)
    if kind == "suppression" and list_name:
        query = query.where(SUP.c.list == list_name)
    if before is not None:
        query = query.where(table.c.seq < before)
    rows = session.execute(query).all()
    found = [_entry(kind, r, now) for r in rows[:limit]]
    more = found[-1].seq if len(rows) > limit else None
    return EntryPage(kind, list_name if kind == "suppression" else None, found, more)


def _entry(kind: str, r, now: datetime) -> Entry:
    if kind == "suppression":
        label, point, captured, expires = r.list, r.contact_point, r.captured_at, r.expires_at
    elif kind == "dnc_request":
        label, point, captured, expires = r.channel, r.phone, r.captured_at, None
    else:
        label, point, captured, expires = "gpc", None, r.observed_at, None
    return Entry(
        seq=r.seq, kind=kind, label=label, contact_point=point, subject_kind=r.subject_kind, subject=r.subject,
        source=r.source, source_id=r.source_id, captured_at=captured, received_at=r.received_at,
        expires_at=expires, live=expires is None or expires > now,
    )  # fmt: skip
