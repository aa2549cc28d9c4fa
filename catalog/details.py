"""Everything the catalogue knows about one dataset, with raw samples of PII columns masked unless allowed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, func, select

from catalog.classification.service import column_classes
from catalog.freshness import Freshness, freshness
from catalog.links import linked_to
from catalog.models import CatalogColumn, CatalogDataset, CatalogDatasetAlias, CatalogTag
from catalog.models_governance import CatalogGlossaryTerm, CatalogMetric
from catalog.registry import get_row, owners_of, summary
from catalog.results import ColumnInfo, DatasetSummary, Owner
from catalog.usage import Popularity, popularity


@dataclass(frozen=True)
class Certification:
    """A dataset's certification state."""

    status: str
    certified_by: str | None
    certified_at: datetime | None
    note: str | None
    expires_at: datetime | None
    expired: bool
    replaced_by: DatasetSummary | None


@dataclass(frozen=True)
class DatasetDetail:
    """A dataset's page: identity, schema, classes, owners, tags, certification, freshness, usage, glossary."""

    dataset: DatasetSummary
    columns: list[ColumnInfo]
    owners: list[Owner]
    tags: list[str]
    certification: Certification
    freshness: Freshness
    popularity: Popularity
    terms: list[dict] = field(default_factory=list)
    metrics: list[dict] = field(default_factory=list)
    aliases: list[dict] = field(default_factory=list)


def mask(value: str | None) -> str | None:
    """A value with its letters as x and digits as 9: its shape stays visible, its content does not."""
    if value is None:
        return None
    return "".join("9" if c.isdigit() else "x" if c.isalpha() else c for c in value)


def columns_of(session: Session, dataset_id: str, *, show_pii: bool) -> list[ColumnInfo]:
    """The current columns with their classes; samples of columns with a (not rejected) class are masked."""
    classes = defaultdict(list)
    for c in column_classes(session, dataset_id=dataset_id):
        classes[c.column].append(c)
    rows = session.exec(
        select(CatalogColumn).where(CatalogColumn.dataset_id == dataset_id).order_by(CatalogColumn.ordinal)
    )
    out = []
    for r in rows:
        sensitive = any(c.status != "rejected" for c in classes[r.name])
        hide = sensitive and not show_pii
        sample = [mask(v) for v in r.sample] if (hide and r.sample) else r.sample
        out.append(
            ColumnInfo(
                r.name,
                r.type,
                r.ordinal,
                r.description,
                r.nullable,
                classes[r.name],
                sample,
                hide and bool(r.sample),
            )
        )
    return out


def dataset_detail(session: Session, *, dataset_id: str, show_pii: bool = False) -> DatasetDetail:
    """The full picture of one dataset."""
    row = get_row(session, dataset_id)
    replaced = session.get(CatalogDataset, row.replaced_by_id) if row.replaced_by_id else None
    terms, metrics = [], []
    for subject_type, subject_id, column in linked_to(session, row):
        if subject_type == "term" and (t := session.get(CatalogGlossaryTerm, subject_id)):
            terms.append({"id": t.id, "name": t.name, "column": column})
        elif subject_type == "metric" and (m := session.get(CatalogMetric, subject_id)):
            metrics.append({"key": m.key, "name": m.name, "certification": m.certification, "column": column})
    aliases = [
        {"namespace": a.namespace, "name": a.name}
        for a in session.exec(select(CatalogDatasetAlias).where(CatalogDatasetAlias.dataset_id == row.id))
    ]
    tags = sorted(session.exec(select(CatalogTag.tag).where(CatalogTag.dataset_id == row.id)))
    return DatasetDetail(
        dataset=summary(row),
        columns=columns_of(session, row.id, show_pii=show_pii),
        owners=owners_of(session, row.id),
        tags=tags,
        certification=Certification(
            row.certification,
            row.certified_by,
            row.certified_at,
            row.certification_note,
            row.certification_expires_at,
            row.certification_expired,
            summary(replaced) if replaced else None,
        ),
        freshness=freshness(session, dataset_id=row.id),
        popularity=popularity(session, dataset_id=row.id),
        terms=terms,
        metrics=metrics,
        aliases=aliases,
    )


def list_datasets(
    session: Session,
    *,
    namespace: str | None = None,
    source_system: str | None = None,
    status: str | None = "active",
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[DatasetSummary]]:
    """Datasets filtered by namespace, source system and status, by name; with the total."""
    query = select(CatalogDataset)
    if namespace:
        query = query.where(CatalogDataset.namespace == namespace)
    if source_system:
        query = query.where(CatalogDataset.source_system == source_system)
    if status:
        query = query.where(CatalogDataset.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(CatalogDataset.namespace, CatalogDataset.name).limit(limit).offset(offset)
    )
    return total, [summary(r) for r in rows]
