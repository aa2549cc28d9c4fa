"""Graph walks: depth, direction, caps, node ids with colons and aliases, point-in-time, impact."""

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.audit import SYSTEM
from core.errors import BadRequest, InvalidInput, NotFound
from lineage import impact, ingest_event, lineage_graph, nodeid
from lineage.graph import MAX_DEPTH
from lineage.graph_walk import CurrentEdges, walk, walk_current
from lineage.nodeid import splits
from tests.lineage_support import column_lineage, facet, run_event

PG = "postgres://db.internal:5432"


def ingest(db, *events):
    with db.session(write=True) as session:
        for event in events:
            ingest_event(session, event=event, actor=SYSTEM)


def chain(db):
    """crm.contacts -> load -> stage.contacts -> merge -> mart.customers -> export -> out.segment, + a branch."""
    ingest(
        db,
        run_event("load", inputs=[(PG, "crm.contacts")], outputs=[(PG, "stage.contacts")]),
        run_event(
            "merge", inputs=[(PG, "stage.contacts"), (PG, "stage.orders")], outputs=[(PG, "mart.customers")]
        ),
        run_event("export", inputs=[(PG, "mart.customers")], outputs=[("s3://exports", "segment.csv")]),
        run_event("audit", inputs=[(PG, "stage.contacts")], outputs=[(PG, "mart.audit")]),
    )


def ids(graph):
    return [n.id for n in graph.graph]


def test_both_directions_by_default(db):
    chain(db)
    with db.session() as session:
        graph = lineage_graph(session, node_id=f"dataset:{PG}:mart.customers")
    assert ids(graph) == [
        f"dataset:{PG}:crm.contacts",
        f"dataset:{PG}:mart.customers",
        f"dataset:{PG}:stage.contacts",
        f"dataset:{PG}:stage.orders",
        "dataset:s3://exports:segment.csv",
        "job:test:export",
        "job:test:load",
        "job:test:merge",
    ]
    merge = next(n for n in graph.graph if n.id == "job:test:merge")
    assert [e["origin"] for e in merge.in_edges] == [
        f"dataset:{PG}:stage.contacts",
        f"dataset:{PG}:stage.orders",
    ]
    assert merge.out_edges == [{"origin": "job:test:merge", "destination": f"dataset:{PG}:mart.customers"}]
    assert merge.data["inputs"] == [
        {"namespace": PG, "name": "stage.contacts"},
        {"namespace": PG, "name": "stage.orders"},
    ]
    assert graph.truncated is False


def test_depth_counts_jobs_and_direction_filters(db):
    chain(db)
    with db.session() as session:
        down1 = lineage_graph(
            session, node_id=f"dataset:{PG}:stage.contacts", depth=1, direction="downstream"
        )
        up = lineage_graph(session, node_id=f"dataset:{PG}:mart.customers", direction="upstream")
        from_job = lineage_graph(session, node_id="job:test:merge", depth=1, direction="downstream")
        zero = lineage_graph(session, node_id=f"dataset:{PG}:stage.contacts", depth=0)
    assert ids(down1) == [
        f"dataset:{PG}:mart.audit",
        f"dataset:{PG}:mart.customers",
        f"dataset:{PG}:stage.contacts",
        "job:test:audit",
        "job:test:merge",
    ]
    assert "dataset:s3://exports:segment.csv" not in ids(up) and "job:test:load" in ids(up)
    assert ids(from_job) == [f"dataset:{PG}:mart.customers", "job:test:merge"]
    assert ids(zero) == [f"dataset:{PG}:stage.contacts"]


def test_node_cap_truncates_and_says_so(db):
    chain(db)
    with db.session() as session:
        graph = lineage_graph(session, node_id=f"dataset:{PG}:crm.contacts", max_nodes=3)
        deep = lineage_graph(session, node_id=f"dataset:{PG}:crm.contacts", depth=MAX_DEPTH + 10)
    assert len(graph.graph) == 3
    assert graph.truncated is True and graph.truncated_reason == "node limit 3 reached"
    assert deep.depth == MAX_DEPTH and deep.truncated and "depth capped" in deep.truncated_reason


def test_unknown_and_malformed_node_ids(db):
    chain(db)
    with db.session() as session:
        with pytest.raises(NotFound) as missing:
            lineage_graph(session, node_id=f"dataset:{PG}:nope")
        with pytest.raises(BadRequest):
            lineage_graph(session, node_id="table:x:y")
        with pytest.raises(InvalidInput):
            lineage_graph(session, node_id=f"dataset:{PG}:crm.contacts", direction="sideways")
    assert missing.value.status == 404 and missing.value.field == "nodeId"


def test_node_id_splits_prefer_marquez_rule():
    assert splits("postgres://h:5432:db.s.t")[0] == ("postgres://h:5432", "db.s.t")
    assert splits("file:/tmp/cll_test:default.tbl1")[0] == ("file", "/tmp/cll_test:default.tbl1")
    assert ("file:/tmp/cll_test", "default.tbl1") in splits("file:/tmp/cll_test:default.tbl1")


def test_symlink_alias_resolves_in_node_ids(db):
    table = {
        "namespace": "hdfs://nn",
        "name": "/warehouse/customers",
        "facets": {
            "symlinks": facet(
                identifiers=[{"namespace": "hive://metastore:9083", "name": "crm.customers", "type": "TABLE"}]
            )
        },
    }
    ingest(db, run_event("build", inputs=[(PG, "crm.contacts")], outputs=[table]))
    # a later job names the Hive table, not the path: it is the same dataset
    ingest(
        db,
        run_event("report", inputs=[("hive://metastore:9083", "crm.customers")], outputs=[(PG, "bi.report")]),
    )
    with db.session() as session:
        graph = lineage_graph(
            session, node_id="dataset:hive://metastore:9083:crm.customers", direction="downstream"
        )
    assert graph.node_id == "dataset:hdfs://nn:/warehouse/customers"
    assert f"dataset:{PG}:bi.report" in ids(graph)


def test_symlink_merges_a_dataset_first_seen_under_its_alias(db):
    ingest(
        db,
        run_event("report", inputs=[("hive://metastore:9083", "crm.customers")], outputs=[(PG, "bi.report")]),
    )
    table = {
        "namespace": "hdfs://nn",
        "name": "/warehouse/customers",
        "facets": {
            "symlinks": facet(
                identifiers=[{"namespace": "hive://metastore:9083", "name": "crm.customers", "type": "TABLE"}]
            )
        },
    }
    ingest(db, run_event("build", inputs=[(PG, "crm.contacts")], outputs=[table]))
    with db.session() as session:
        graph = lineage_graph(session, node_id=f"dataset:{PG}:bi.report", direction="upstream")
    assert ids(graph) == [
        "dataset:hdfs://nn:/warehouse/customers",
        f"dataset:{PG}:bi.report",
        f"dataset:{PG}:crm.contacts",
        "job:test:build",
        "job:test:report",
    ]


def test_point_in_time_and_run_lineage(db):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    ingest(
        db,
        run_event(
            "sync",
            event_type="START",
            at="2024-01-01T00:00:00Z",
            run_id=first,
            inputs=[(PG, "crm.v1")],
            outputs=[(PG, "stage.c")],
        ),
        run_event("sync", at="2024-01-01T00:05:00Z", run_id=first),
        run_event(
            "sync",
            event_type="START",
            at="2024-02-01T00:00:00Z",
            run_id=second,
            inputs=[(PG, "crm.v2")],
            outputs=[(PG, "stage.c")],
        ),
        run_event("sync", at="2024-02-01T00:05:00Z", run_id=second),
    )
    from core.clock import parse_instant

    with db.session() as session:
        now = lineage_graph(session, node_id=f"dataset:{PG}:stage.c", direction="upstream")
        january = lineage_graph(
            session,
            node_id=f"dataset:{PG}:stage.c",
            direction="upstream",
            as_of=parse_instant("2024-01-15T00:00:00Z"),
        )
        before = lineage_graph(
            session,
            node_id=f"dataset:{PG}:stage.c",
            direction="upstream",
            as_of=parse_instant("2023-12-31T00:00:00Z"),
        )
        later = lineage_graph(
            session,
            node_id=f"dataset:{PG}:stage.c",
            direction="upstream",
            as_of=parse_instant("2030-01-01T00:00:00Z"),
        )
        by_run = lineage_graph(session, node_id=f"dataset:{PG}:stage.c", direction="upstream", run_id=first)
    assert f"dataset:{PG}:crm.v2" in ids(now) and f"dataset:{PG}:crm.v1" not in ids(now)
    assert f"dataset:{PG}:crm.v1" in ids(january) and f"dataset:{PG}:crm.v2" not in ids(january)
    assert ids(before) == [f"dataset:{PG}:stage.c"]
    assert [(n.id, n.in_edges, n.out_edges) for n in later.graph] == [
        (n.id, n.in_edges, n.out_edges) for n in now.graph
    ]
    assert ids(by_run) == ids(january) and by_run.run_id == first


def test_impact_lists_downstream_with_owners(db):
    owned = {
        "namespace": PG,
        "name": "mart.customers",
        "facets": {"ownership": facet(owners=[{"name": "team:crm-analytics", "type": "MAINTAINER"}])},
    }
    ingest(
        db,
        run_event("load", inputs=[(PG, "crm.contacts")], outputs=[(PG, "stage.contacts")]),
        run_event("merge", inputs=[(PG, "stage.contacts")], outputs=[owned]),
        run_event("export", inputs=[(PG, "mart.customers")], outputs=[("s3://exports", "segment.csv")]),
    )
    with db.session() as session:
        report = impact(session, node_id=f"dataset:{PG}:crm.contacts")
    assert [(d.name, d.level) for d in report.datasets] == [
        ("stage.contacts", 1),
        ("mart.customers", 2),
        ("segment.csv", 3),
    ]
    assert [j.name for j in report.jobs] == ["load", "merge", "export"]
    # owners as the catalogue keeps them (the dataset was registered from its ownership facet)
    assert report.notify == {("team:crm-analytics", "maintainer"): [f"dataset:{PG}:mart.customers"]}


def test_column_impact_follows_fields(db):
    out = {
        "namespace": PG,
        "name": "mart.customers",
        "facets": {
            "columnLineage": column_lineage(
                {"email": [(PG, "crm.contacts", "email")], "id": [(PG, "crm.contacts", "contact_id")]}
            )
        },
    }
    nxt = {
        "namespace": PG,
        "name": "mart.emails",
        "facets": {"columnLineage": column_lineage({"addr": [(PG, "mart.customers", "email")]})},
    }
    ingest(
        db,
        run_event("merge", inputs=[(PG, "crm.contacts")], outputs=[out]),
        run_event("emails", inputs=[(PG, "mart.customers")], outputs=[nxt]),
    )
    with db.session() as session:
        report = impact(session, node_id=f"datasetField:{PG}:crm.contacts:email")
    assert [(f.dataset, f.field, f.level) for f in report.fields] == [
        ("mart.customers", "email", 1),
        ("mart.emails", "addr", 2),
    ]
    assert [d.name for d in report.datasets] == ["mart.customers", "mart.emails"]
    assert [j.name for j in report.jobs] == ["merge", "emails"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edges=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 5), st.integers(0, 7)), min_size=1, max_size=25
    ),
    depth=st.integers(0, 4),
    direction=st.sampled_from(["upstream", "downstream", "both"]),
    start=st.integers(0, 7),
)
def test_recursive_query_walk_equals_breadth_first_walk(db, edges, depth, direction, start):
    """The product's recursive-CTE walk and the reference BFS reach the same nodes at the same levels."""
    _reset_graph(db)
    with db.session(write=True) as session:
        for source, job, target in edges:  # job `job` reads dataset `source` and writes dataset `target`
            ingest_event(
                session,
                event=run_event(
                    f"j{job}",
                    run_id=str(uuid.UUID(int=job + 1)),
                    at=f"2024-01-01T00:00:{job:02d}Z",
                    inputs=[("g", f"d{source}")],
                    outputs=[("g", f"d{target}")],
                ),
                actor=SYSTEM,
            )
    named = sorted({s for s, _, _ in edges} | {t for _, _, t in edges})
    with db.session() as session:
        node = nodeid.resolve(session, f"dataset:g:d{named[start % len(named)]}")
        args = {
            "kind": "dataset",
            "start": node.dataset.id,
            "depth": depth,
            "direction": direction,
            "max_nodes": 1000,
        }
        by_query = walk_current(session, **args)
        by_bfs = walk(CurrentEdges(session), **args)
    assert (by_query.datasets, by_query.jobs) == (by_bfs.datasets, by_bfs.jobs)


def _reset_graph(db):
    from lineage.models import LineageEvent
    from lineage.rebuild import clear_derived

    with db.session(write=True) as session:
        clear_derived(session)
        session.execute(LineageEvent.__table__.delete())
        session.commit()
