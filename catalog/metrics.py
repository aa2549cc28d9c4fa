"""Certified business metrics (customer 360): definition, formula, owner, certification, linked data.

Metric packs are YAML documents shipped in `catalog/packs/`; `load_metric_pack` loads one idempotently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

import yaml
from sqlmodel import Session, select

from catalog.certification import DEFAULT_VALIDITY, add_event, check_note, require_steward
from catalog.glossary import create_term, term_row, update_term
from catalog.links import LinkInfo, add_link, links_of, reference
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


@dataclass(frozen=True)
class PackResult:
    """What loading a metric pack did."""

    pack: str
    terms_created: int = 0
    terms_updated: int = 0
    metrics_created: int = 0
    metrics_updated: int = 0
    links_added: int = 0
    certified: int = 0


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
    expires = clock.as_utc(expires_at) if expires_at else now + DEFAULT_VALIDITY
    if expires <= now:
        raise InvalidInput("expires_at must be in the future", field="expires_at")
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


def _pack_document(name_or_path: str) -> dict:
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} and path.is_file():
        text = path.read_text()
    else:
        packs = resources.files("catalog.packs")
        candidate = packs.joinpath(f"{name_or_path}.yaml")
        if not re.match(r"^[a-z0-9_]+$", name_or_path) or not candidate.is_file():
            raise NotFound(f"no metric pack {name_or_path!r}; the shipped pack is customer360", field="pack")
        text = candidate.read_text()
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"the metric pack is not valid YAML: {exc}", field="pack") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("pack"), str):
        raise InvalidInput("a metric pack is a mapping with `pack`, `terms` and `metrics`", field="pack")
    return doc


def _links(session, subject_type, subject_id, links, prefix) -> int:
    added = 0
    for j, link in enumerate(links or []):
        if not isinstance(link, dict):
            raise InvalidInput(
                "a link is a mapping with source/namespace and dataset", field=f"{prefix}.links[{j}]"
            )
        ref = reference(
            session,
            namespace=link.get("namespace"),
            source=link.get("source"),
            name=link.get("dataset"),
            field=f"{prefix}.links[{j}]",
        )
        added += add_link(
            session,
            subject_type=subject_type,
            subject_id=subject_id,
            ref=ref,
            column=link.get("column") or "",
        )
    return added


def load_metric_pack(session: Session, *, pack: str = "customer360", actor: Actor) -> PackResult:
    """Load a metric pack's terms, metrics and links (idempotent, all or nothing); certifies the metrics
    the pack marks `certify: true` when the actor may certify and they are not certified yet."""
    doc = _pack_document(pack)
    name, owner = doc["pack"], doc.get("owner")
    counts = dict.fromkeys(
        ("terms_created", "terms_updated", "metrics_created", "metrics_updated", "links_added", "certified"),
        0,
    )
    for i, t in enumerate(doc.get("terms") or []):
        prefix = f"terms[{i}]"
        if not isinstance(t, dict) or not t.get("name"):
            raise InvalidInput("a term needs a name", field=f"{prefix}.name")
        try:
            row = term_row(session, t["name"])
        except NotFound:
            info = create_term(
                session,
                name=t["name"],
                definition=t.get("definition") or "",
                owner=t.get("owner", owner),
                synonyms=t.get("synonyms") or [],
                status="approved",
                actor=actor,
                commit=False,
            )
            counts["terms_created"] += 1
            term_id = info.id
        else:
            before = (row.definition, list(row.synonyms or []))
            update_term(
                session,
                term=row.id,
                definition=t.get("definition"),
                synonyms=t.get("synonyms"),
                actor=actor,
                commit=False,
            )
            counts["terms_updated"] += before != (row.definition, list(row.synonyms or []))
            term_id = row.id
        counts["links_added"] += _links(session, "term", term_id, t.get("links"), prefix)
    for i, m in enumerate(doc.get("metrics") or []):
        prefix = f"metrics[{i}]"
        if not isinstance(m, dict):
            raise InvalidInput("a metric is a mapping", field=prefix)
        exists = (
            session.exec(select(CatalogMetric).where(CatalogMetric.key == m.get("key"))).first() is not None
        )
        info, changed = upsert_metric(
            session,
            key=m.get("key"),
            name=m.get("name"),
            definition=m.get("definition"),
            formula=m.get("formula"),
            unit=m.get("unit"),
            grain=m.get("grain"),
            owner=m.get("owner", owner),
            term=m.get("term"),
            pack=name,
            actor=actor,
            commit=False,
            field_prefix=f"{prefix}.",
        )
        counts["metrics_updated" if exists else "metrics_created"] += changed
        counts["links_added"] += _links(session, "metric", info.id, m.get("links"), prefix)
        if m.get("certify") and info.certification == "draft" and str(actor.role) in {"steward", "admin"}:
            certify_metric(
                session,
                key=info.key,
                note=f"certified with metric pack {name} v{doc.get('version', 1)}",
                actor=actor,
                commit=False,
            )
            counts["certified"] += 1
    audit.record(session, actor, "metric.pack.load", "metric_pack", name, counts)
    session.commit()
    return PackResult(pack=name, **counts)
