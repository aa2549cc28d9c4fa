"""The server-side lineage layout: columns by distance from the centre, fewer crossings, escaped SVG."""

from web.lineage_layout import Item, layered
from web.lineage_svg import render


def _items(*ids):
    return [Item(i, "job" if i.startswith("j") else "dataset", i) for i in ids]


def test_upstream_left_downstream_right_side_branches_next_to_their_neighbour():
    # a -> j1 -> c (centre) -> j2 -> d ; j1 also writes b (a sibling of the centre)
    edges = [("a", "j1"), ("j1", "c"), ("j1", "b"), ("c", "j2"), ("j2", "d")]
    layout = layered(_items("a", "j1", "b", "c", "j2", "d"), edges, centre="c")
    layers = {n: p.layer for n, p in layout.nodes.items()}
    assert layers == {"a": -2, "j1": -1, "c": 0, "b": 0, "j2": 1, "d": 2}
    xs = {n: p.x for n, p in layout.nodes.items()}
    assert xs["a"] < xs["j1"] < xs["c"] < xs["j2"] < xs["d"]
    assert layout.side("a") == "upstream" and layout.side("d") == "downstream"
    # Nodes of one column never overlap.
    same = sorted(p.y for p in layout.nodes.values() if p.layer == 0)
    assert same[1] - same[0] >= 44


def test_ordering_removes_a_crossing():
    # Two chains x1->y1 and x2->y2; alphabetical order would put y2 first in its column and cross them.
    edges = [("c", "x1"), ("c", "x2"), ("x1", "y2"), ("x2", "y1")]
    layout = layered(_items("c", "x1", "x2", "y1", "y2"), edges, centre="c")
    slot = {n: p.slot for n, p in layout.nodes.items()}
    assert (slot["x1"] < slot["x2"]) == (slot["y2"] < slot["y1"])


def test_a_cycle_and_unconnected_nodes_are_still_placed():
    edges = [("c", "j"), ("j", "c")]
    layout = layered(_items("c", "j", "lonely"), edges, centre="c")
    assert set(layout.nodes) == {"c", "j", "lonely"}
    assert render(layout, title="t").count("lineage-edge") == 2


def test_names_and_links_are_escaped_in_the_svg():
    items = [Item("c", "dataset", "<script>x</script>", href='/x?a=1&b="2"'), Item("d", "dataset", "d")]
    svg = str(render(layered(items, [("c", "d")], centre="c"), title="<t>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'href="/x?a=1&amp;b=&#34;2&#34;"' in svg
    assert "&lt;t&gt;" in svg
