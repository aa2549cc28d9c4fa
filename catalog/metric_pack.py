"""Metric packs: YAML documents of glossary terms and metric definitions with their links, shipped in
`catalog/packs/` (customer360) or given as a file; `load_metric_pack` loads one idempotently."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from sqlmodel import Session, select

from catalog.glossary import create_term, term_row, update_term
from catalog.links import add_link, reference
from catalog.metrics import certify_metric, upsert_metric
from catalog.models_governance import CatalogMetric
from core import audit
from core.audit import Actor
from core.errors import InvalidInput, NotFound


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
