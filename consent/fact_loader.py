"""Read the stored facts of many customers at once (a few IN queries per table) into evaluator facts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from consent.facts import (
    ConsentFact,
    DncRequestFact,
    GpcFact,
    RegistrySnapshotFact,
    RelationshipFact,
    SubjectFacts,
    SuppressionFact,
)
from consent.models import (
    ConsentRecordRow,
    DncRequestRow,
    GpcSignalRow,
    RegistryNumberRow,
    RegistrySnapshotRow,
    RelationshipRow,
    SuppressionRow,
)
from consent.store import CHUNK, chunks
from consent.subjects import Subject

SNAP = RegistrySnapshotRow.__table__.c


_STATEMENTS: dict[tuple, sa.Select] = {}


def _statement(table, columns: tuple[str, ...], keys: tuple[str, ...]) -> sa.Select:
    """SELECT columns WHERE key1 IN (...) OR key2 IN (...), built once per shape."""
    shape = (table.name, columns, keys)
    if shape not in _STATEMENTS:
        conditions = [table.c[k].in_(sa.bindparam(f"k{i}", expanding=True)) for i, k in enumerate(keys)]
        _STATEMENTS[shape] = sa.select(*(table.c[c] for c in columns)).where(sa.or_(*conditions))
    return _STATEMENTS[shape]


def _rows(session: Session, table, columns: tuple[str, ...], keyed: dict[str, Iterable[str]]):
    """Rows whose key columns hold any of the values: one query when the lists are short, chunks otherwise."""
    keyed = {k: sorted(set(v)) for k, v in keyed.items() if v}
    if not keyed:
        return
    if all(len(v) <= CHUNK for v in keyed.values()):
        statement = _statement(table, columns, tuple(keyed))
        yield from session.execute(statement, {f"k{i}": v for i, v in enumerate(keyed.values())})
        return
    for key, values in keyed.items():
        for part in chunks(values):
            yield from session.execute(_statement(table, columns, (key,)), {"k0": list(part)})


REC_COLUMNS = (
    "seq",
    "source",
    "source_id",
    "channel",
    "purpose",
    "status",
    "method",
    "scope",
    "captured_at",
    "received_at",
    "contact_point",
    "expires_at",
    "evidence",
    "subject_kind",
    "subject",
)
SUP_COLUMNS = (
    "seq",
    "source",
    "source_id",
    "list",
    "captured_at",
    "received_at",
    "contact_point",
    "expires_at",
    "subject_kind",
    "subject",
)
DNC_COLUMNS = (
    "seq",
    "source",
    "source_id",
    "channel",
    "captured_at",
    "received_at",
    "phone",
    "subject_kind",
    "subject",
)
GPC_COLUMNS = ("seq", "source", "source_id", "observed_at", "received_at", "subject_kind", "subject")
REL_COLUMNS = (
    "seq",
    "source",
    "source_id",
    "kind",
    "occurred_at",
    "received_at",
    "soft_opt_in_notice_given",
    "subject_kind",
    "subject",
)


def load_facts(session: Session, subjects: dict[str, Subject]) -> dict[str, SubjectFacts]:
    """SubjectFacts for every subject: facts about the person and facts keyed by any of their contact points."""
    by_alias: dict[str, list[Subject]] = defaultdict(list)
    by_point: dict[str, list[Subject]] = defaultdict(list)
    for subject in subjects.values():
        for alias in subject.aliases | subject.source_keys:
            by_alias[alias].append(subject)
        for values in subject.contact_points.values():
            for value in values:
                by_point[value].append(subject)
    phones = {v for s in subjects.values() for v in s.contact_points.get("phone", ())}
    collected: dict[str, dict[str, dict]] = {cid: defaultdict(dict) for cid in subjects}

    def add(kind: str, row, fact_of, via_subject: bool, via_point: str | None) -> None:
        targets: dict[str, Subject] = {}
        if via_subject and row.subject is not None:
            targets.update({s.customer_id: s for s in by_alias.get(row.subject, ())})
        if via_point is not None:
            targets.update({s.customer_id: s for s in by_point.get(via_point, ())})
        for cid, subject in targets.items():
            own = subject.owns(row.subject_kind, row.subject) if row.subject is not None else None
            collected[cid][kind][row.seq] = fact_of(row, own)

    aliases = list(by_alias)
    for row in _rows(
        session, ConsentRecordRow.__table__, REC_COLUMNS, {"subject": aliases, "contact_point": by_point}
    ):
        add("consents", row, _consent, True, row.contact_point)
    for row in _rows(
        session, SuppressionRow.__table__, SUP_COLUMNS, {"subject": aliases, "contact_point": by_point}
    ):
        add("suppressions", row, _suppression, row.contact_point is None, row.contact_point)
    for row in _rows(session, DncRequestRow.__table__, DNC_COLUMNS, {"subject": aliases, "phone": phones}):
        add("dnc_requests", row, _dnc, True, row.phone)
    for row in _rows(session, GpcSignalRow.__table__, GPC_COLUMNS, {"subject": aliases}):
        add("gpc_signals", row, _gpc, True, None)
    for row in _rows(session, RelationshipRow.__table__, REL_COLUMNS, {"subject": aliases}):
        add("relationships", row, _relationship, True, None)
    snapshots = _snapshots(session, phones)
    out = {}
    for cid, subject in subjects.items():
        facts = collected[cid]
        mine = set(subject.contact_points.get("phone", ()))
        out[cid] = SubjectFacts(
            customer_id=cid,
            jurisdiction=subject.jurisdiction,
            contact_points=subject.contact_points,
            consents=tuple(facts["consents"].values()),
            suppressions=tuple(facts["suppressions"].values()),
            dnc_requests=tuple(facts["dnc_requests"].values()),
            gpc_signals=tuple(facts["gpc_signals"].values()),
            relationships=tuple(facts["relationships"].values()),
            registry_snapshots=tuple(
                RegistrySnapshotFact(
                    s.id, s.source, s.registry, s.captured_at, s.received_at, s.listed & mine
                )
                for s in snapshots
            ),
        )
    return out


def _snapshots(session: Session, phones: set[str]) -> list[RegistrySnapshotFact]:
    """Every registry snapshot, with the given numbers it lists."""
    heads = session.execute(
        sa.select(
            SNAP.seq, SNAP.source, SNAP.source_id, SNAP.registry_name, SNAP.downloaded_at, SNAP.received_at
        )
    ).all()
    if not heads:
        return []
    listed: dict[int, set[str]] = defaultdict(set)
    for seq, phone in _rows(
        session, RegistryNumberRow.__table__, ("snapshot_seq", "phone"), {"phone": phones}
    ):
        listed[seq].add(phone)
    return [
        RegistrySnapshotFact(
            h.source_id,
            h.source,
            h.registry_name,
            h.downloaded_at,
            h.received_at,
            frozenset(listed.get(h.seq, ())),
        )
        for h in heads
    ]


def _consent(row, own) -> ConsentFact:
    return ConsentFact(
        id=row.source_id,
        source=row.source,
        channel=row.channel,
        purpose=row.purpose,
        status=row.status,
        method=row.method,
        scope=row.scope,
        captured_at=row.captured_at,
        received_at=row.received_at,
        contact_point=row.contact_point,
        expires_at=row.expires_at,
        evidence=row.evidence,
        own=own,
    )


def _suppression(row, own) -> SuppressionFact:
    return SuppressionFact(
        row.source_id,
        row.source,
        row.list,
        row.captured_at,
        row.received_at,
        row.contact_point,
        row.expires_at,
        own,
    )


def _dnc(row, own) -> DncRequestFact:
    return DncRequestFact(
        row.source_id, row.source, row.channel, row.captured_at, row.received_at, row.phone, own
    )


def _gpc(row, own) -> GpcFact:
    return GpcFact(row.source_id, row.source, row.observed_at, row.received_at)


def _relationship(row, own) -> RelationshipFact:
    return RelationshipFact(
        row.source_id,
        row.source,
        row.kind,
        row.occurred_at,
        row.received_at,
        bool(row.soft_opt_in_notice_given),
    )
