"""A layered layout of a lineage graph, computed on the server: upstream to the left, downstream to the right.

Layers come from breadth-first distance to the centre node (against the edges for upstream, along them
for downstream); the order inside a layer is improved by a few barycentre sweeps so fewer edges cross.
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

SWEEPS = 4


@dataclass(frozen=True)
class Item:
    """A node to place: its id, kind (dataset, job, field), label, link, and an optional subtitle."""

    id: str
    kind: str
    label: str
    href: str | None = None
    subtitle: str = ""
    title: str = ""


@dataclass
class Placed:
    """A placed node: its layer (negative upstream, 0 the centre, positive downstream) and slot in it."""

    item: Item
    layer: int
    slot: int = 0
    x: float = 0.0
    y: float = 0.0


@dataclass
class Layout:
    """Every node placed, the edges between them, and the picture's size."""

    nodes: dict[str, Placed]
    edges: list[tuple[str, str]]
    width: float
    height: float
    centre: str
    layers: dict[int, list[str]] = field(default_factory=dict)

    def side(self, node_id: str) -> str:
        """`upstream`, `centre` or `downstream`: where a node sits relative to the centre."""
        layer = self.nodes[node_id].layer
        return "centre" if layer == 0 else ("upstream" if layer < 0 else "downstream")


def assign_layers(centre: str, ids: Iterable[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Distance to the centre: upstream nodes get -1, -2…, downstream ones 1, 2…; others join a neighbour."""
    ids = list(dict.fromkeys(ids))
    preds, succs = defaultdict(list), defaultdict(list)
    for origin, target in edges:
        succs[origin].append(target)
        preds[target].append(origin)
    layer: dict[str, int] = {centre: 0} if centre in ids else {}
    for step, neighbours in ((-1, preds), (1, succs)):
        queue = deque([centre]) if centre in layer else deque()
        seen = {centre}
        while queue:
            node = queue.popleft()
            for nxt in sorted(neighbours[node]):
                if nxt in seen:
                    continue
                seen.add(nxt)
                layer.setdefault(nxt, layer[node] + step)
                # Only keep walking one way: a node downstream of an upstream node is a sibling branch.
                if (layer[nxt] < 0) == (step < 0) or layer[nxt] == 0:
                    queue.append(nxt)
    # Side branches (e.g. another output of an upstream job): one layer right of a placed predecessor,
    # or one left of a placed successor, repeated until nothing changes.
    changed = True
    while changed:
        changed = False
        for node in ids:
            if node in layer:
                continue
            before = [layer[p] for p in preds[node] if p in layer]
            after = [layer[s] for s in succs[node] if s in layer]
            if before or after:
                layer[node] = max(before) + 1 if before else min(after) - 1
                changed = True
    for node in ids:
        layer.setdefault(node, 0)
    return layer


def _order(layers: dict[int, list[str]], edges: Sequence[tuple[str, str]]) -> None:
    """Reorder each layer by the mean slot of its neighbours in the previous one, sweeping both ways."""
    neighbours = defaultdict(set)
    for origin, target in edges:
        neighbours[origin].add(target)
        neighbours[target].add(origin)
    keys = sorted(layers)
    for sweep in range(SWEEPS):
        sequence = keys if sweep % 2 == 0 else list(reversed(keys))
        for prev, key in itertools.pairwise(sequence):
            slot = {n: i for i, n in enumerate(layers[prev])}
            current = {n: i for i, n in enumerate(layers[key])}

            def weight(node: str, slot=slot, current=current) -> tuple[float, int]:
                near = [slot[n] for n in neighbours[node] if n in slot]
                return (sum(near) / len(near) if near else float(current[node]), current[node])

            layers[key].sort(key=weight)


def layered(
    items: Sequence[Item],
    edges: Sequence[tuple[str, str]],
    *,
    centre: str,
    node_w: float = 200,
    node_h: float = 44,
    gap_x: float = 90,
    gap_y: float = 18,
    pad: float = 16,
) -> Layout:
    """Place `items` in columns by their distance from `centre`; coordinates are node top-left corners."""
    by_id = {i.id: i for i in items}
    edges = [(a, b) for a, b in dict.fromkeys(edges) if a in by_id and b in by_id and a != b]
    layer_of = assign_layers(centre, by_id, edges)
    layers: dict[int, list[str]] = defaultdict(list)
    for node_id in sorted(by_id, key=lambda n: (by_id[n].kind, by_id[n].label, n)):
        layers[layer_of[node_id]].append(node_id)
    _order(layers, edges)
    tallest = max((len(v) for v in layers.values()), default=1)
    height = 2 * pad + tallest * node_h + (tallest - 1) * gap_y
    first = min(layers, default=0)
    nodes: dict[str, Placed] = {}
    for key, members in layers.items():
        column_h = len(members) * node_h + (len(members) - 1) * gap_y
        top = (height - column_h) / 2
        for slot, node_id in enumerate(members):
            nodes[node_id] = Placed(
                by_id[node_id],
                key,
                slot,
                x=pad + (key - first) * (node_w + gap_x),
                y=top + slot * (node_h + gap_y),
            )
    columns = (max(layers, default=0) - first + 1) if layers else 1
    width = 2 * pad + columns * node_w + (columns - 1) * gap_x
    return Layout(nodes, edges, width, height, centre, dict(sorted(layers.items())))
