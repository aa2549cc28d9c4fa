"""Marquez node ids: `dataset:{ns}:{name}`, `job:{ns}:{name}`, `datasetField:{ns}:{dataset}:{field}`.

Namespaces often contain colons (`postgres://host:5432`, `file:/tmp`), so an id is split at every
colon and the candidates are looked up together; Marquez's own split (a colon not followed by `//`
or a digit) wins when several exist. Any alias of a dataset (symlink, former name) resolves to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import defer
from sqlmodel import Session, select

from core.errors import BadRequest, NotFound
from lineage.models import LineageDataset, LineageDatasetName
from lineage.models_graph import LineageJob
from lineage.storage import name_key

KINDS = ("dataset", "job", "datasetField")
_MARQUEZ_DELIMITER = re.compile(r":(?!//|\d+)")
_VERSION = re.compile(r"#[0-9a-fA-F-]{32,36}$")
_LIGHT = (defer(LineageDataset.facets), defer(LineageDataset.facet_stamps), defer(LineageDataset.fields))


def dataset_id(namespace: str, name: str) -> str:
    return f"dataset:{namespace}:{name}"


def job_id(namespace: str, name: str) -> str:
    return f"job:{namespace}:{name}"


def field_id(namespace: str, dataset: str, field: str) -> str:
    return f"datasetField:{namespace}:{dataset}:{field}"


@dataclass(frozen=True)
class Node:
    """A resolved node: a dataset (optionally one of its fields) or a job."""

    kind: str  # dataset | job | datasetField
    dataset: LineageDataset | None = None
    job: LineageJob | None = None
    field: str | None = None

    @property
    def id(self) -> str:
        if self.job is not None:
            return job_id(self.job.namespace, self.job.name)
        if self.field is not None:
            return field_id(self.dataset.namespace, self.dataset.name, self.field)
        return dataset_id(self.dataset.namespace, self.dataset.name)


def splits(text: str) -> list[tuple[str, str]]:
    """Every (namespace, name) split of `text`, Marquez's choice first."""
    out: list[tuple[str, str]] = []
    preferred = _MARQUEZ_DELIMITER.search(text)
    if preferred:
        out.append((text[: preferred.start()], text[preferred.end() :]))
    for match in re.finditer(":", text):
        pair = (text[: match.start()], text[match.end() :])
        if pair not in out and pair[0] and pair[1]:
            out.append(pair)
    return out


def resolve(session: Session, node_id: str) -> Node:
    """The node named by `node_id`; 400 if it is not a node id, 404 if nothing has that name."""
    if not isinstance(node_id, str) or ":" not in node_id:
        raise BadRequest(
            "nodeId must look like dataset:{namespace}:{name}, job:{namespace}:{name} "
            "or datasetField:{namespace}:{dataset}:{field}",
            field="nodeId",
        )
    kind, _, rest = node_id.partition(":")
    if kind not in KINDS:
        raise BadRequest(f"unknown node type {kind!r}; use one of {', '.join(KINDS)}", field="nodeId")
    rest = _VERSION.sub("", rest)
    node = None
    if kind == "job":
        job = _first(session, LineageJob, splits(rest))
        node = Node("job", job=job) if job else None
    elif kind == "dataset":
        ds = find_dataset(session, splits(rest))
        node = Node("dataset", dataset=ds) if ds else None
    else:
        node = _field(session, rest)
    if node is None:
        raise NotFound(f"no {kind} with node id {node_id!r} has been seen in lineage events", field="nodeId")
    return node


def _field(session: Session, rest: str) -> Node | None:
    # The field is after the last colon; the dataset part is split like a dataset id.
    for cut in [i for i, ch in enumerate(rest) if ch == ":"][::-1]:
        ds = find_dataset(session, splits(rest[:cut]))
        if ds is not None and rest[cut + 1 :]:
            return Node("datasetField", dataset=ds, field=rest[cut + 1 :])
    return None


def find_dataset(session: Session, candidates: list[tuple[str, str]]) -> LineageDataset | None:
    """The first candidate name that is known (as a dataset's own name or an alias)."""
    keys = [name_key(ns, name) for ns, name in candidates]
    if not keys:
        return None
    # One query; the large JSON columns load only if a caller reads them (most need id and names).
    found = dict(
        session.exec(
            select(LineageDatasetName.key, LineageDataset)
            .join(LineageDataset, LineageDataset.id == LineageDatasetName.dataset_id)
            .where(LineageDatasetName.key.in_(keys))
            .options(*_LIGHT)
        ).all()
    )
    return next((found[key] for key in keys if key in found), None)


def _first(session: Session, model, candidates: list[tuple[str, str]]):
    keys = [name_key(ns, name) for ns, name in candidates]
    if not keys:
        return None
    rows = {row.key: row for row in session.exec(select(model).where(model.key.in_(keys))).all()}
    return next((rows[k] for k in keys if k in rows), None)
