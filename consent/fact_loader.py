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
from consent.store import chunks
from consent.subjects import Subject

REC = ConsentRecordRow.__table__.c
SUP = SuppressionRow.__table__.c
DNC = DncRequestRow.__table__.c
GPC = GpcSignalRow.__table__.c
REL = RelationshipRow.__table__.c
SNAP = RegistrySnapshotRow.__table__.c
NUM = RegistryNumberRow.__table__.c


def _rows(session: Session, columns, key_column, values: Iterable[str]):
    values = sorted(set(values))
    if not values:
        return
    query = sa.select(*columns).where(key_column.in_(sa.bindparam("keys", expanding=True)))
    for part in chunks(values):
        yield from session.execute(query, {"keys": list(part)})


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
    rec_cols = [
        REC.seq,
        REC.source,
        REC.source_id,
        REC.channel,
        REC.purpose,
        REC.status,
        REC.method,
        REC.scope,
        REC.captured_at,
        REC.received_at,
        REC.contact_point,
        REC.expires_at,
        REC.evidence,
        REC.subject_kind,
        REC.subject,
    ]
    for row in _rows(session, rec_cols, REC.subject, aliases):
        add("consents", row, _consent, True, row.contact_point)
    for row in _rows(session, rec_cols, REC.contact_point, by_point):
        add("consents", row, _consent, True, row.contact_point)
    sup_cols = [
        SUP.seq,
        SUP.source,
        SUP.source_id,
        SUP.list,
        SUP.captured_at,
        SUP.received_at,
        SUP.contact_point,
        SUP.expires_at,
        SUP.subject_kind,
        SUP.subject,
    ]
    for key, values in ((SUP.subject, aliases), (SUP.contact_point, list(by_point))):
        for row in _rows(session, sup_cols, key, values):
            add("suppressions", row, _suppression, row.contact_point is None, row.contact_point)
    dnc_cols = [
        DNC.seq,
        DNC.source,
        DNC.source_id,
        DNC.channel,
        DNC.captured_at,
        DNC.received_at,
        DNC.phone,
        DNC.subject_kind,
        DNC.subject,
    ]
    for key, values in ((DNC.subject, aliases), (DNC.phone, phones)):
        for row in _rows(session, dnc_cols, key, values):
            add("dnc_requests", row, _dnc, True, row.phone)
    gpc_cols = [
        GPC.seq,
        GPC.source,
        GPC.source_id,
        GPC.observed_at,
        GPC.received_at,
        GPC.subject_kind,
        GPC.subject,
    ]
    for row in _rows(session, gpc_cols, GPC.subject, aliases):
        add("gpc_signals", row, _gpc, True, None)
    rel_cols = [
        REL.seq,
        REL.source,
        REL.source_id,
        REL.kind,
        REL.occurred_at,
        REL.received_at,
        REL.soft_opt_in_notice_given,
        REL.subject_kind,
        REL.subject,
    ]
    for row in _rows(session, rel_cols, REL.subject, aliases):
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
    for seq, phone in _rows(session, [NUM.snapshot_seq, NUM.phone], NUM.phone, phones):
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
