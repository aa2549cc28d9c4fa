"""Lineage for pages: calls the lineage services and turns their graphs into laid-out SVG pictures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from markupsafe import Markup
from sqlmodel import Session

from catalog.results import DatasetSummary
from core.errors import InvalidInput, NotFound
from lineage import column_lineage_graph, get_job, lineage_graph
from web import lineage_svg
from web.lineage_layout import Layout

MAX_NODES = 300  # a picture beyond this is unreadable; the page says it was cut


@dataclass
class Picture:
    """A drawn graph and what it holds; `missing` when lineage knows nothing of the node yet."""

    svg: Markup | None = None
    layout: Layout | None = None
    datasets: int = 0
    jobs: int = 0
    truncated_reason: str | None = None
    missing: bool = False


@dataclass
class ColumnRef:
    """A column on one side of the chosen one, with its dataset's link and how it was transformed."""

    namespace: str
    dataset: str
    field: str
    href: str
    transformation: str = ""


@dataclass
class ColumnPicture:
    """One column's lineage: the picture and the upstream and downstream columns as lists."""

    column: str
    svg: Markup | None = None
    upstream: list[ColumnRef] = field(default_factory=list)
    downstream: list[ColumnRef] = field(default_factory=list)
    error: str | None = None


@dataclass
class NodePage:
    """A lineage node's own page: its kind, names, the job's details if a job, and its graph."""

    kind: str
    namespace: str
    name: str
    picture: Picture
    job: dict[str, Any] | None = None


def _link(kind: str, data: dict) -> str:
    if kind == "job":
        return url_for("catalogue.lineage", node=f"job:{data['namespace']}:{data['name']}")
    return url_for("catalogue.open_node", kind="dataset", namespace=data["namespace"], name=data["name"])


def _field_link(data: dict) -> str:
    return url_for(
        "catalogue.open_node",
        kind="dataset",
        namespace=data["namespace"],
        name=data["dataset"],
        column=data["field"],
    )


def _picture(graph, title: str) -> Picture:
    items, edges = lineage_svg.graph_items(graph, _link)
    layout = lineage_svg.layout_graph(items, edges, graph.node_id)
    return Picture(
        svg=lineage_svg.render(layout, title=title),
        layout=layout,
        datasets=sum(1 for i in items if i.kind == "dataset"),
        jobs=sum(1 for i in items if i.kind == "job"),
        truncated_reason=graph.truncated_reason,
    )


def dataset_graph(session: Session, node_id: str, *, depth: int) -> Picture:
    """The graph around a dataset, `depth` jobs each way; `missing` if lineage has never seen it."""
    try:
        graph = lineage_graph(session, node_id=node_id, depth=depth, direction="both", max_nodes=MAX_NODES)
    except NotFound:
        return Picture(missing=True)
    return _picture(graph, f"Lineage of {node_id.split(':', 2)[-1]}, {depth} jobs up and downstream")


def column_graph(
    session: Session, dataset: DatasetSummary, column: str, *, depth: int, known: list[str]
) -> ColumnPicture:
    """Where a column's values come from and where they go; `error` says what is wrong with the request."""
    out = ColumnPicture(column)
    if column not in known:
        out.error = f"{dataset.name} has no column {column!r}; pick one from the schema table"
        return out
    node_id = f"datasetField:{dataset.namespace}:{dataset.name}:{column}"
    try:
        graph = column_lineage_graph(
            session, node_id=node_id, depth=max(depth, 1) * 2, with_downstream=True, max_nodes=MAX_NODES
        )
    except (NotFound, InvalidInput):
        return out  # lineage has not seen the dataset: no column lineage to show
    items, edges = lineage_svg.field_items(graph, _field_link)
    centre = next((i.id for i in items if i.id == node_id), node_id)
    layout = lineage_svg.layout_graph(items, edges, centre, fields=True)
    transforms = {}
    for node in graph.graph:
        for source in node.data.get("inputFields", []):
            key = (source["namespace"], source["dataset"], source["field"], node.id)
            transforms[key] = ", ".join(
                "/".join(filter(None, (t.get("type"), t.get("subtype"))))
                + (" (masked)" if t.get("masking") else "")
                for t in source.get("transformations") or []
            )
    for node in graph.graph:
        if node.id == centre:
            continue
        side = layout.side(node.id)
        data = node.data
        ref = ColumnRef(data["namespace"], data["dataset"], data["field"], _field_link(data))
        if side == "upstream":
            out.upstream.append(ref)
        elif side == "downstream":
            out.downstream.append(ref)
    for ref in out.upstream:
        ref.transformation = next(
            (
                t
                for (ns, ds, f, _), t in transforms.items()
                if (ns, ds, f) == (ref.namespace, ref.dataset, ref.field)
            ),
            "",
        )
    if len(items) > 1:
        out.svg = lineage_svg.render(
            layout, title=f"Column lineage of {dataset.name}.{column}", node_w=lineage_svg.FIELD_W
        )
    return out


def node_page(session: Session, node: str, *, depth: int) -> NodePage:
    """A job's or dataset's lineage page by node id (NotFound when lineage does not know it)."""
    if not node.startswith(("job:", "dataset:")):
        raise InvalidInput("node must look like job:NAMESPACE:NAME or dataset:NAMESPACE:NAME", field="node")
    graph = lineage_graph(session, node_id=node, depth=depth, direction="both", max_nodes=MAX_NODES)
    centre = next(n for n in graph.graph if n.id == graph.node_id)
    kind = "job" if centre.type == "JOB" else "dataset"
    namespace, name = centre.data["namespace"], centre.data["name"]
    job = get_job(session, namespace=namespace, name=name) if kind == "job" else None
    picture = _picture(graph, f"Lineage of {kind} {name}, {depth} jobs up and downstream")
    return NodePage(kind, namespace, name, picture, job)
