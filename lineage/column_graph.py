"""`GET /api/v1/column-lineage`: field-to-field lineage around a dataset or one of its fields.

Upstream by default (what each field is made from), downstream too with `withDownstream`. Depth
counts field hops. Node data follows Marquez: namespace, dataset, field, fieldType, transformation
type and description, and the input fields with their transformations (type, subtype, masking).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from core.errors import InvalidInput
from lineage import nodeid
from lineage.column_lineage import WHOLE_DATASET
from lineage.graph import Graph, GraphNode, check_limits, rows_by_id
from lineage.models import LineageDataset
from lineage.models_graph import LineageColumnEdge
from lineage.storage import chunks

FieldRef = tuple[int, str]


@dataclass
class ColumnWalk:
    """Fields reached with their level, the edges followed, and whether the node limit cut it."""

    fields: dict[FieldRef, int] = field(default_factory=dict)
    edges: dict[int, LineageColumnEdge] = field(default_factory=dict)
    truncated: bool = False


def _edges(session: Session, refs: Iterable[FieldRef], upstream: bool) -> list[LineageColumnEdge]:
    ds_col, field_col = (
        (LineageColumnEdge.out_dataset_id, LineageColumnEdge.out_field)
        if upstream
        else (LineageColumnEdge.in_dataset_id, LineageColumnEdge.in_field)
    )
    out: list[LineageColumnEdge] = []
    for batch in chunks(refs):
        query = select(LineageColumnEdge).where(
            sa.tuple_(ds_col, field_col).in_(batch), LineageColumnEdge.out_field != WHOLE_DATASET
        )
        out += session.exec(query).all()
    return out


def walk_fields(
    session: Session, start: list[FieldRef], *, depth: int, upstream: bool, downstream: bool, max_nodes: int
) -> ColumnWalk:
    """Breadth-first over column edges from `start` fields."""
    result = ColumnWalk(fields=dict.fromkeys(start, 0))
    for up in [d for d, wanted in ((True, upstream), (False, downstream)) if wanted]:
        frontier, seen = list(start), set(start)
        for level in range(1, depth + 1):
            found = _edges(session, frontier, up)
            frontier = []
            for edge in found:
                result.edges[edge.id] = edge
                ref = (edge.in_dataset_id, edge.in_field) if up else (edge.out_dataset_id, edge.out_field)
                if ref in seen:
                    continue
                if len(result.fields) >= max_nodes:
                    result.truncated = True
                    break
                seen.add(ref)
                frontier.append(ref)
                result.fields.setdefault(ref, level)
            if not frontier or result.truncated:
                break
    return result


def start_fields(session: Session, node: nodeid.Node) -> list[FieldRef]:
    """The node's field, or every field of the dataset (its schema and the outputs of its column lineage)."""
    ds = node.dataset
    if node.field is not None:
        return [(ds.id, node.field)]
    names = [f["name"] for f in ds.fields]
    mapped = session.exec(
        select(LineageColumnEdge.out_field).where(
            LineageColumnEdge.out_dataset_id == ds.id, LineageColumnEdge.out_field != WHOLE_DATASET
        )
    ).all()
    return [(ds.id, name) for name in dict.fromkeys([*names, *sorted(set(mapped))])]


def column_lineage_graph(
    session: Session,
    *,
    node_id: str,
    depth: int | None = None,
    with_downstream: bool = False,
    max_nodes: int | None = None,
) -> Graph:
    """Field-level lineage around a dataset or field node (404 if unknown; jobs have no columns: 422)."""
    depth, max_nodes, capped = check_limits(depth, max_nodes)
    node = nodeid.resolve(session, node_id)
    if node.dataset is None:
        raise InvalidInput(
            "column lineage starts at a dataset or datasetField node, not a job", field="nodeId"
        )
    found = walk_fields(
        session,
        start_fields(session, node),
        depth=depth,
        upstream=True,
        downstream=with_downstream,
        max_nodes=max_nodes,
    )
    reason = f"node limit {max_nodes} reached" if found.truncated else capped
    return Graph(
        graph=assemble_fields(session, found),
        node_id=node.id,
        depth=depth,
        direction="both" if with_downstream else "upstream",
        max_nodes=max_nodes,
        truncated=reason is not None,
        truncated_reason=reason,
    )


def assemble_fields(session: Session, found: ColumnWalk) -> list[GraphNode]:
    """DATASET_FIELD nodes with their inputs and the edges between reached fields."""
    datasets: dict[int, LineageDataset] = rows_by_id(
        session,
        LineageDataset,
        {d for d, _ in found.fields} | {e.in_dataset_id for e in found.edges.values()},
    )
    nodes: dict[FieldRef, GraphNode] = {}
    inputs: dict[FieldRef, list[LineageColumnEdge]] = {}
    for edge in found.edges.values():
        inputs.setdefault((edge.out_dataset_id, edge.out_field), []).append(edge)
    for ref in found.fields:
        ds = datasets[ref[0]]
        types = {f["name"]: f.get("type") for f in ds.fields}
        mine = sorted(inputs.get(ref, []), key=lambda e: (datasets[e.in_dataset_id].name, e.in_field))
        first = mine[0] if mine else None
        data = {
            "namespace": ds.namespace,
            "dataset": ds.name,
            "field": ref[1],
            "fieldType": types.get(ref[1]),
            "transformationDescription": first.transformation_description if first else None,
            "transformationType": first.transformation_type if first else None,
            "inputFields": [_input(datasets[e.in_dataset_id], e) for e in mine],
        }
        nodes[ref] = GraphNode(nodeid.field_id(ds.namespace, ds.name, ref[1]), "DATASET_FIELD", data)
    for edge in found.edges.values():
        origin, target = (
            nodes.get((edge.in_dataset_id, edge.in_field)),
            nodes.get((edge.out_dataset_id, edge.out_field)),
        )
        if origin is None or target is None:
            continue
        link = {"origin": origin.id, "destination": target.id}
        origin.out_edges.append(link)
        target.in_edges.append(link)
    return sorted(nodes.values(), key=lambda n: n.id)


def _input(ds: LineageDataset, edge: LineageColumnEdge) -> dict:
    return {
        "namespace": ds.namespace,
        "dataset": ds.name,
        "field": edge.in_field,
        "transformations": edge.transformations,
        "transformationType": edge.transformation_type,
        "direct": edge.direct,
        "masking": edge.masking,
    }
