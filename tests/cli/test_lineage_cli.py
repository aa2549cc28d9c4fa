"""`concord lineage ...`: ingest files in every accepted shape, rebuild, purge, derive, graph."""

import json

import orjson

from tests.lineage_support import SPARK_CLL, corpus_dir, count, run_event


def test_ingest_array_jsonl_and_single_event(cli_runner, db, tmp_path):
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_bytes(
        b"\n".join(orjson.dumps(run_event(f"job{i}", outputs=[("db", f"t{i}")])) for i in range(3)) + b"\n"
    )
    single = tmp_path / "one.json"
    single.write_text(json.dumps(run_event("solo", inputs=[("db", "t0")])))
    result = cli_runner("lineage", "ingest", str(corpus_dir() / SPARK_CLL), str(jsonl), str(single))
    assert result.exit_code == 0, result.output
    assert "stored 13, duplicates 0, rejected 0" in result.output
    assert count(db, "lineage_event") == 13 and count(db, "lineage_edge") == 5 + 3 + 1
    again = cli_runner("lineage", "ingest", str(single))
    assert "stored 0, duplicates 1" in again.output


def test_rejected_events_are_listed_and_fail_the_command(cli_runner, db, tmp_path):
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([run_event("ok"), run_event("")]))
    result = cli_runner("lineage", "ingest", str(path))
    assert result.exit_code == 1
    assert "stored 1, duplicates 0, rejected 1" in result.output
    assert "event 2: job.name" in result.output
    assert count(db, "lineage_event") == 1


def test_rebuild_purge_derive_and_graph(cli_runner, db):
    cli_runner("lineage", "ingest", str(corpus_dir() / SPARK_CLL))
    rebuilt = cli_runner("lineage", "rebuild")
    assert rebuilt.exit_code == 0 and "replayed 9 events" in rebuilt.output
    graph = cli_runner("lineage", "graph", "dataset:file:/tmp/cll_test/tbl1", "--direction", "upstream")
    assert graph.exit_code == 0
    assert "* DATASET dataset:file:/tmp/cll_test/tbl1" in graph.output
    assert "-> dataset:file:/tmp/cll_test/tbl1" in graph.output
    as_json = cli_runner("lineage", "graph", "dataset:file:/tmp/cll_test/tbl1", "--depth", "1", "--json")
    assert len(orjson.loads(as_json.output)["graph"]) == 4
    missing = cli_runner("lineage", "graph", "dataset:file:/nope")
    assert missing.exit_code == 1 and "no dataset" in missing.output
    purged = cli_runner("lineage", "purge", "--older-than", "30")
    assert purged.exit_code == 0 and "purged 0 raw events" in purged.output
    derived = cli_runner("lineage", "derive")
    assert "derived 0 queued events; 0 set aside" in derived.output
