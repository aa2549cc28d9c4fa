"""Certification: draft -> certified (by whom, when, note, expiry) -> deprecated (with a replacement).

Only stewards (and admins) change it; an expired certification flags the dataset until recertified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from catalog.models import CatalogDataset
from catalog.models_governance import CatalogCertificationEvent, CatalogMetric
from catalog.registry import get_row, summary
from catalog.results import DatasetSummary
from catalog.search.index import reindex
from core import audit, clock
from core.audit import SYSTEM, Actor
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.roles import Role

DEFAULT_VALIDITY = timedelta(days=365)
CERTIFIERS = {Role.STEWARD.value, Role.ADMIN.value}
MAX_NOTE = 4000


@dataclass(frozen=True)
class CertificationEvent:
    """One change of a dataset's or metric's certification."""

    action: str
    status: str
    by: str
    at: datetime
    note: str | None
    expires_at: datetime | None
    replacement_id: str | None


def require_steward(actor: Actor) -> None:
    """Forbidden unless the actor is a steward or an admin."""
    if str(actor.role) not in CERTIFIERS:
        raise Forbidden(f"only stewards certify or deprecate; {actor.label} is {actor.role}", field="role")


def check_note(note: str | None, required: bool = True) -> str | None:
    """A certification note: required for certify and deprecate, at most 4000 characters."""
    text = (note or "").strip()
    if required and not text:
        raise InvalidInput("say why in a note (what was checked, or why it is deprecated)", field="note")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"note is at most {MAX_NOTE} characters", field="note")
    return text or None


def add_event(
    session: Session, subject_type: str, subject_id: str, action: str, status: str, by: str, **extra
) -> None:
    """Append one certification history event."""
    session.add(
        CatalogCertificationEvent(
            subject_type=subject_type,
            subject_id=subject_id,
            action=action,
            status=status,
            by=by,
            at=clock.now(),
            **extra,
        )
    )


def certify(
    session: Session, *, dataset_id: str, note: str, expires_at: datetime | None = None, actor: Actor
) -> DatasetSummary:
    """Certify a dataset until `expires_at` (default: a year from now)."""
    require_steward(actor)
    note = check_note(note)
    row = get_row(session, dataset_id)
    if row.status != "active":
        raise Conflict("a dropped dataset cannot be certified", field="dataset_id")
    now = clock.now()
    expires = clock.as_utc(expires_at) if expires_at else now + DEFAULT_VALIDITY
    if expires <= now:
        raise InvalidInput("expires_at must be in the future", field="expires_at")
    row.certification, row.certified_by, row.certified_at = "certified", actor.label, now
    row.certification_note, row.certification_expires_at, row.certification_expired = note, expires, False
    row.replaced_by_id = None
    return _save(session, row, "certify", actor, note=note, expires_at=expires)


def deprecate(
    session: Session, *, dataset_id: str, note: str, replacement_id: str | None = None, actor: Actor
) -> DatasetSummary:
    """Deprecate a dataset, pointing to the one to use instead."""
    require_steward(actor)
    note = check_note(note)
    row = get_row(session, dataset_id)
    if replacement_id is not None:
        if replacement_id == dataset_id:
            raise InvalidInput("a dataset cannot replace itself", field="replacement_id")
        replacement = session.get(CatalogDataset, replacement_id)
        if replacement is None:
            raise NotFound(f"no dataset {replacement_id!r} to point to", field="replacement_id")
        if replacement.certification == "deprecated":
            raise Conflict(
                "the replacement is deprecated itself; point to a current dataset", field="replacement_id"
            )
    row.certification, row.replaced_by_id, row.certification_note = "deprecated", replacement_id, note
    return _save(session, row, "deprecate", actor, note=note, replacement_id=replacement_id)


def revert_to_draft(
    session: Session, *, dataset_id: str, note: str | None = None, actor: Actor
) -> DatasetSummary:
    """Withdraw a certification or deprecation."""
    require_steward(actor)
    note = check_note(note, required=False)
    row = get_row(session, dataset_id)
    row.certification, row.certification_expired, row.replaced_by_id = "draft", False, None
    row.certification_expires_at = None
    return _save(session, row, "draft", actor, note=note)


def _save(session: Session, row: CatalogDataset, action: str, actor: Actor, **extra) -> DatasetSummary:
    row.updated_at = clock.now()
    session.add(row)
    add_event(session, "dataset", row.id, action, row.certification, actor.label, **extra)
    details = {k: (clock.iso(v) if isinstance(v, datetime) else v) for k, v in extra.items()}
    audit.record(session, actor, f"dataset.{action}", "dataset", row.id, details)
    reindex(session, [row.id])
    session.commit()
    return summary(row)


def expire_certifications(session: Session, now: datetime | None = None) -> list[str]:
    """Flag datasets whose certification expired by `now` (the scheduled job); returns their ids."""
    now = clock.as_utc(now or clock.now())
    rows = session.exec(
        select(CatalogDataset).where(
            CatalogDataset.certification == "certified",
            CatalogDataset.certification_expired == False,  # noqa: E712 - SQL comparison
            CatalogDataset.certification_expires_at <= now,
        )
    ).all()
    for row in rows:
        row.certification_expired = True
        session.add(row)
        add_event(
            session,
            "dataset",
            row.id,
            "expire",
            "certified",
            SYSTEM.label,
            expires_at=row.certification_expires_at,
        )
    if rows:
        ids = [r.id for r in rows]
        audit.record(session, SYSTEM, "dataset.certification_expired", "dataset", "*", {"datasets": ids})
        reindex(session, ids)
    session.commit()
    return [r.id for r in rows]


def certification_history(session: Session, *, subject_id: str) -> list[CertificationEvent]:
    """Every certification change of a dataset or metric, newest first."""
    if session.get(CatalogDataset, subject_id) is None and session.get(CatalogMetric, subject_id) is None:
        raise NotFound(f"no dataset or metric {subject_id!r}", field="subject_id")
    rows = session.exec(
        select(CatalogCertificationEvent)
        .where(CatalogCertificationEvent.subject_id == subject_id)
        .order_by(CatalogCertificationEvent.id.desc())
    )
    return [
        CertificationEvent(r.action, r.status, r.by, r.at, r.note, r.expires_at, r.replacement_id)
        for r in rows
    ]
