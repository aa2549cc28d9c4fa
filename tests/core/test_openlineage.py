"""The emitter: START then COMPLETE or FAIL, serialised as clients send them, through the queued sink."""

import pytest

from core.openlineage import DatasetRef, Emitter


def test_run_emits_start_and_complete_with_row_counts():
    seen = []
    emitter = Emitter(local_sink=seen.append)
    out = DatasetRef("concord", "consent.records", columns=[("id", "TEXT")])
    with emitter.run(
        "consent.ingest", inputs=[DatasetRef("source://crm", "contact_preferences")], outputs=[out]
    ) as run:
        run.count(out, 42)
    assert emitter.flush()
    assert [e["eventType"] for e in seen] == ["START", "COMPLETE"]
    complete = seen[1]
    assert complete["job"] == {"namespace": "concord", "name": "consent.ingest", "facets": {}}
    assert complete["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] == 42
    assert complete["outputs"][0]["facets"]["schema"]["fields"][0]["name"] == "id"
    assert complete["run"]["runId"] == seen[0]["run"]["runId"]


def test_failure_emits_fail_with_message_and_reraises():
    seen = []
    emitter = Emitter(local_sink=seen.append)
    with pytest.raises(RuntimeError), emitter.run("scan"):
        raise RuntimeError("source unreachable")
    emitter.flush()
    assert seen[-1]["eventType"] == "FAIL"
    assert seen[-1]["run"]["facets"]["errorMessage"]["message"] == "source unreachable"


def test_a_failing_sink_never_breaks_the_job():
    def broken(_event):
        raise OSError("disk full")

    emitter = Emitter(local_sink=broken)
    with emitter.run("job"):
        pass
    assert emitter.flush()
