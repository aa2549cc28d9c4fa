"""Lineage graphs drawn as inline SVG: datasets and jobs as linked boxes, edges as curves with arrows."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from lineage import Graph
from web.lineage_layout import Item, Layout, layered

NODE_W, NODE_H, FIELD_W = 190, 46, 180
GAP_X = 70
FIT_UP_TO = 1800  # wider pictures keep their size and scroll; narrower ones shrink to the page
STYLE = {
    "dataset": ("#eff6ff", "#2563eb"),
    "job": ("#f5f3ff", "#7c3aed"),
    "field": ("#f0fdf4", "#16a34a"),
}
CENTRE = ("#fef3c7", "#b45309")
MAX_LABEL = 27


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def short_name(name: str, limit: int = MAX_LABEL - 2) -> str:
    """A dataset or job name that fits a box: `analytics.public.dim_customer` becomes `dim_customer`."""
    if len(name) <= limit:
        return name
    for sep in ("/", "."):
        if sep in name.rstrip(sep):
            return _short(name.rstrip(sep).rsplit(sep, 1)[-1], limit)
    return _short(name, limit)


def where(namespace: str) -> str:
    """Where a namespace points, briefly: a SQLite file's name, a server's host, or the namespace itself."""
    scheme, sep, rest = namespace.partition("://")
    if not sep:
        return namespace
    if scheme == "sqlite":
        return rest.rstrip("/").rsplit("/", 1)[-1]
    return rest.split("/", 1)[0] or scheme


def graph_items(
    graph: Graph, link: Callable[[str, dict], str | None]
) -> tuple[list[Item], list[tuple[str, str]]]:
    """Items and edges of a dataset/job graph; `link(kind, data)` gives each node's page."""
    items, edges = [], []
    for node in graph.graph:
        kind = "job" if node.type == "JOB" else "dataset"
        data = node.data
        name, namespace = data.get("name", node.id), data.get("namespace", "")
        items.append(
            Item(
                node.id,
                kind,
                short_name(name),
                link(kind, data),
                where(namespace),
                f"{kind} {name} in {namespace}",
            )
        )
        edges += [(e["origin"], e["destination"]) for e in node.out_edges]
    return items, edges


def field_items(graph: Graph, link: Callable[[dict], str | None]) -> tuple[list[Item], list[tuple[str, str]]]:
    """Items and edges of a column-lineage graph (DATASET_FIELD nodes)."""
    items, edges = [], []
    for node in graph.graph:
        data = node.data
        items.append(
            Item(
                node.id,
                "field",
                data["field"],
                link(data),
                subtitle=short_name(data["dataset"]),
                title=f"{data['namespace']} {data['dataset']}.{data['field']}",
            )
        )
        edges += [(e["origin"], e["destination"]) for e in node.out_edges]
    return items, edges


def layout_graph(
    items: list[Item], edges: list[tuple[str, str]], centre: str, *, fields: bool = False
) -> Layout:
    """The layered layout for dataset/job graphs or column graphs."""
    width = FIELD_W if fields else NODE_W
    return layered(items, edges, centre=centre, node_w=width, node_h=NODE_H, gap_x=GAP_X)


def render(layout: Layout, *, title: str, node_w: float = NODE_W) -> Markup:
    """The layout as an accessible SVG: each node a link with a tooltip, the centre highlighted."""
    w, h = max(layout.width, 320), max(layout.height, 80)
    fit = " fit" if w <= FIT_UP_TO else ""
    parts = [
        f'<svg class="lineage{fit}" role="img" viewBox="0 0 {w:.0f} {h:.0f}" width="{w:.0f}" height="{h:.0f}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker></defs>'
    ]
    for origin, target in layout.edges:
        a, b = layout.nodes[origin], layout.nodes[target]
        x1, y1 = a.x + node_w, a.y + NODE_H / 2
        x2, y2 = b.x, b.y + NODE_H / 2
        if x2 <= x1:  # a backwards edge (a cycle or a sibling in the same column): loop below
            x1, x2 = a.x + node_w / 2, b.x + node_w / 2
            y1, y2 = a.y + NODE_H, b.y + NODE_H
            bend = 40
            d = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{y1 + bend:.1f} {x2:.1f},{y2 + bend:.1f} {x2:.1f},{y2:.1f}"
        else:
            mid = (x1 + x2) / 2
            d = f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2 - 2:.1f},{y2:.1f}"
        parts.append(
            f'<path class="lineage-edge" d="{d}" fill="none" stroke="#94a3b8" stroke-width="1.5" '
            f'marker-end="url(#arrow)" data-from="{escape(origin)}" data-to="{escape(target)}"/>'
        )
    for node_id, placed in layout.nodes.items():
        parts.append(_node(placed, layout.side(node_id), node_w))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every name, id and link above passes through escape()


def _node(placed, side: str, node_w: float) -> str:
    item = placed.item
    fill, stroke = CENTRE if side == "centre" else STYLE.get(item.kind, STYLE["dataset"])
    radius = 20 if item.kind == "job" else 6
    icon = {"job": "⚙", "field": "▸"}.get(item.kind, "▦")
    body = (
        f'<rect x="{placed.x:.1f}" y="{placed.y:.1f}" width="{node_w}" height="{NODE_H}" rx="{radius}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{2.5 if side == "centre" else 1.2}"/>'
        f'<text x="{placed.x + 12:.1f}" y="{placed.y + 19:.1f}" class="lineage-label">'
        f'<tspan fill="{stroke}">{icon}</tspan> {escape(_short(item.label))}</text>'
        f'<text x="{placed.x + 12:.1f}" y="{placed.y + 36:.1f}" class="lineage-sub">'
        f"{escape(_short(item.subtitle, MAX_LABEL + 4))}</text>"
    )
    tooltip = f"<title>{escape(item.title or item.label)} ({side})</title>"
    attrs = (
        f'class="lineage-node {item.kind} {side}" data-node-id="{escape(item.id)}" '
        f'data-kind="{item.kind}" data-side="{side}"'
    )
    if item.href:
        return f'<a href="{escape(item.href)}" {attrs}>{tooltip}{body}</a>'
    return f"<g {attrs}>{tooltip}{body}</g>"
