"""Certified business metrics (customer 360): definition, formula, owner, certification, linked data.

Metric packs (customer360 ships in `catalog/packs/`) are loaded by `metric_pack.load_metric_pack`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from catalog.certification import add_event, check_note, expiry, require_steward
from catalog.glossary import term_row
from catalog.links import LinkInfo, links_of
from catalog.models_governance import CatalogGlossaryTerm, CatalogMetric
from core import audit, clock
from core.audit import Actor
from core.errors import InvalidInput, NotFound
from core.ids import new_id

KEY = re.compile(r"^[a-z][a-z0-9_]{1,99}$")
FIELDS = ("name", "definition", "formula", "unit", "grain", "owner")


@dataclass(frozen=True)
class MetricInfo:
    """A metric with its certification and links."""

    id: str
    key: str
    name: str
    definition: str
    formula: str
    unit: str | None
    grain: str | None
    owner: str | None
    term: str | None
    pack: str | None
    certification: str
    certified_by: str | None
    certified_at: datetime | None
    certification_note: str | None
    certification_expires_at: datetime | None
    links: list[LinkInfo] = field(default_factory=list)


def _info(session: Session, row: CatalogMetric, with_links: bool = True) -> MetricInfo:
    term = session.get(CatalogGlossaryTerm, row.term_id) if row.term_id else None
    return MetricInfo(
        row.id,
        row.key,
        row.name,
        row.definition,
        row.formula,
        row.unit,
        row.grain,
        row.owner,
        term.name if term else None,
        row.pack,
        row.certification,
        row.certified_by,
        row.certified_at,
        row.certification_note,
        row.certification_expires_at,
        links_of(session, "metric", row.id) if with_links else [],
    )


def metric_row(session: Session, key: str) -> CatalogMetric:
    """A metric by key or id; NotFound otherwise."""
    row = session.exec(select(CatalogMetric).where(CatalogMetric.key == key)).first() or session.get(
        CatalogMetric, key
    )
    if row is None:
        raise NotFound(f"no metric {key!r}", field="metric")
    return row


def upsert_metric(
    session: Session,
    *,
    key: str,
    name: str,
    definition: str,
    formula: str,
    unit: str | None = None,
    grain: str | None = None,
    owner: str | None = None,
    term: str | None = None,
    pack: str | None = None,
    actor: Actor,
    commit: bool = True,
    field_prefix: str = "",
) -> tuple[MetricInfo, bool]:
    """Create or update a metric definition; returns it and whether anything changed."""
    if not isinstance(key, str) or not KEY.match(key):
        raise InvalidInput("key is 2-100 lower-case letters, digits or '_'", field=f"{field_prefix}key")
    values = {
        "name": name,
        "definition": definition,
        "formula": formula,
        "unit": unit,
        "grain": grain,
        "owner": owner,
    }
    for f in ("name", "definition", "formula"):
        if not isinstance(values[f], str) or not values[f].strip():
            raise InvalidInput(f"metric {key!r} needs a {f}", field=f"{field_prefix}{f}")
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    term_id = term_row(session, term).id if term else None
    row = session.exec(select(CatalogMetric).where(CatalogMetric.key == key)).first()
    now = clock.now()
    created = row is None
    if row is None:
        row = CatalogMetric(id=new_id("met"), key=key, created_at=now, updated_at=now, **values)
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if row.term_id != term_id or (pack and row.pack != pack):
        changed["term"] = term
    if created or changed:
        for k, v in values.items():
            setattr(row, k, v)
        row.term_id, row.pack, row.updated_at = term_id, pack or row.pack, now
        session.add(row)
        audit.record(
            session,
            actor,
            "metric.create" if created else "metric.update",
            "metric",
            row.id,
            {"key": key, "changed": sorted(changed)},
        )
    if commit:
        session.commit()
    return _info(session, row), bool(created or changed)


def certify_metric(
    session: Session,
    *,
    key: str,
    note: str,
    expires_at: datetime | None = None,
    actor: Actor,
    commit: bool = True,
) -> MetricInfo:
    """A steward certifies a metric definition."""
    require_steward(actor)
    note = check_note(note)
    row = metric_row(session, key)
    now = clock.now()
    expires = expiry(expires_at, now)
    row.certification, row.certified_by, row.certified_at = "certified", actor.label, now
    row.certification_note, row.certification_expires_at, row.updated_at = note, expires, now
    session.add(row)
    add_event(session, "metric", row.id, "certify", "certified", actor.label, note=note, expires_at=expires)
    audit.record(
        session, actor, "metric.certify", "metric", row.id, {"note": note, "expires_at": clock.iso(expires)}
    )
    if commit:
        session.commit()
    return _info(session, row)


def deprecate_metric(session: Session, *, key: str, note: str, actor: Actor) -> MetricInfo:
    """A steward deprecates a metric definition."""
    require_steward(actor)
    note = check_note(note)
    row = metric_row(session, key)
    row.certification, row.certification_note, row.updated_at = "deprecated", note, clock.now()
    session.add(row)
    add_event(session, "metric", row.id, "deprecate", "deprecated", actor.label, note=note)
    audit.record(session, actor, "metric.deprecate", "metric", row.id, {"note": note})
    session.commit()
    return _info(session, row)


def list_metrics(session: Session) -> list[MetricInfo]:
    """Every metric, by name."""
    return [
        _info(session, r, with_links=False)
        for r in session.exec(select(CatalogMetric).order_by(CatalogMetric.name))
    ]


def get_metric(session: Session, *, key: str) -> MetricInfo:
    """One metric with its links."""
    return _info(session, metric_row(session, key))
