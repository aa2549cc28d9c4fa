"""Classification propagation: PII classes of input columns pushed to output columns along column lineage.

A class travels along an edge only when the output's values come from the input's values (a DIRECT
transformation, or a field mapping without detail) and the mapping does not mask them (`masking:
true` on its direct transformations, or the deprecated `MASKED` type). INDIRECT dependencies (joins,
filters, group-bys) carry no values and no classes. Classes flow on downstream, hop by hop, so a chain
A -> B -> C classifies C even when C's lineage arrived before B's. The catalogue records each as a
`propagated` suggestion with the upstream column's node id, and refuses classes a steward rejected.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

import catalog
from catalog.classification.service import column_classes
from core.audit import Actor
from core.errors import ConcordError
from lineage.models import LineageDataset
from lineage.models_graph import LineageColumnEdge
from lineage.nodeid import field_id
from lineage.storage import chunks

log = logging.getLogger(__name__)
Field = tuple[int, str]
MAX_STEPS = 100_000  # bounds one pass on a pathological graph


@dataclass
class PropagationResult:
    """Classes written to columns, and those the catalogue refused (rejected by a steward, or unknown)."""

    propagated: int = 0
    refused: int = 0


class _Classes:
    """Non-rejected classes per (dataset id, column), read from the catalogue once per dataset."""

    def __init__(self, session: Session):
        self.session = session
        self._by_dataset: dict[int, dict[str, set[str]]] = {}

    def of(self, ds: LineageDataset, column: str) -> set[str]:
        if ds.id not in self._by_dataset:
            found = catalog.find_dataset(self.session, namespace=ds.namespace, name=ds.name)
            classes: dict[str, set[str]] = {}
            if found is not None:
                for c in column_classes(self.session, dataset_id=found.id):
                    if c.status != "rejected":
                        classes.setdefault(c.column, set()).add(c.pii_class)
            self._by_dataset[ds.id] = classes
        return self._by_dataset[ds.id].get(column, set())

    def add(self, ds: LineageDataset, column: str, pii_class: str) -> None:
        self._by_dataset.setdefault(ds.id, {}).setdefault(column, set()).add(pii_class)


def _carrying_edges(session: Session, sources: Iterable[Field]) -> list[LineageColumnEdge]:
    """Edges out of these input fields that carry values and do not mask them."""
    out: list[LineageColumnEdge] = []
    for batch in chunks(sources):
        query = select(LineageColumnEdge).where(
            sa.tuple_(LineageColumnEdge.in_dataset_id, LineageColumnEdge.in_field).in_(batch),
            LineageColumnEdge.direct == sa.true(),
            LineageColumnEdge.masking == sa.false(),
            LineageColumnEdge.out_field != "",
        )
        out += session.exec(query).all()
    return out


def propagate_from(session: Session, seeds: Iterable[Field], *, actor: Actor) -> PropagationResult:
    """Push the classes of `seeds` (input columns) downstream, as far as they travel."""
    result, classes = PropagationResult(), _Classes(session)
    datasets: dict[int, LineageDataset] = {}
    queue, seen = deque(dict.fromkeys(seeds)), set()
    steps = 0
    while queue and steps < MAX_STEPS:
        frontier = [queue.popleft() for _ in range(min(len(queue), 500))]
        edges = _carrying_edges(session, frontier)
        for ds_id in {e.in_dataset_id for e in edges} | {e.out_dataset_id for e in edges}:
            if ds_id not in datasets:
                datasets[ds_id] = session.get(LineageDataset, ds_id)
        for edge in edges:
            steps += 1
            source, target = datasets[edge.in_dataset_id], datasets[edge.out_dataset_id]
            for pii_class in sorted(classes.of(source, edge.in_field)):
                key = (target.id, edge.out_field, pii_class)
                if key in seen or pii_class in classes.of(target, edge.out_field):
                    seen.add(key)
                    continue
                seen.add(key)
                if _push(
                    session,
                    target,
                    edge.out_field,
                    pii_class,
                    field_id(source.namespace, source.name, edge.in_field),
                    actor,
                ):
                    result.propagated += 1
                    classes.add(target, edge.out_field, pii_class)
                    queue.append((target.id, edge.out_field))
                else:
                    result.refused += 1
    return result


def _push(
    session: Session, target: LineageDataset, column: str, pii_class: str, from_node: str, actor: Actor
) -> bool:
    savepoint = session.begin_nested()
    try:
        accepted = catalog.propagate_classification(
            session,
            namespace=target.namespace,
            name=target.name,
            column=column,
            pii_class=pii_class,
            from_node=from_node,
            actor=actor,
            commit=False,
        )
        savepoint.commit()
        return accepted
    except ConcordError as exc:
        savepoint.rollback()
        log.info(
            "class %s not propagated to %s:%s.%s: %s",
            pii_class,
            target.namespace,
            target.name,
            column,
            exc.message,
        )
        return False


def after_ingest(session: Session, outputs: Iterable[int], *, actor: Actor) -> PropagationResult:
    """Propagation for datasets whose column lineage just changed: from their input columns on."""
    ids = list(outputs)
    seeds: list[Field] = []
    for batch in chunks(ids):
        seeds += session.execute(
            sa.select(LineageColumnEdge.in_dataset_id, LineageColumnEdge.in_field)
            .where(LineageColumnEdge.out_dataset_id.in_(batch))
            .distinct()
        ).all()
    return propagate_from(session, [tuple(s) for s in seeds], actor=actor)


def propagate_all(session: Session, *, actor: Actor, commit: bool = True) -> PropagationResult:
    """A full pass: every column that feeds another pushes its classes downstream."""
    seeds = session.execute(
        sa.select(LineageColumnEdge.in_dataset_id, LineageColumnEdge.in_field)
        .where(LineageColumnEdge.direct == sa.true(), LineageColumnEdge.masking == sa.false())
        .distinct()
        .order_by(LineageColumnEdge.in_dataset_id, LineageColumnEdge.in_field)
    ).all()
    result = propagate_from(session, [tuple(s) for s in seeds], actor=actor)
    if commit:
        session.commit()
    return result
