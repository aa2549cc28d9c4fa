"""Consent's own runs appear as OpenLineage events: ingestion and unification, with source datasets."""

from __future__ import annotations

from consent import operations
from consent.ingest import ingest_events
from core.audit import SYSTEM
from core.openlineage import Emitter
from tests.consent.conftest import INGEST, consent, profile


def test_ingest_and_rebuild_emit_runs(db):
    events: list[dict] = []
    emitter = Emitter(local_sink=events.append)
    with db.session(write=True) as session:
        ingest_events(
            session,
            events=[profile("C1", emails=["ann@example.com"]), consent("p1", "C1")],
            actor=INGEST,
            emitter=emitter,
        )
    with db.session(write=True) as session:
        operations.rebuild(session, actor=SYSTEM, emitter=emitter)
    emitter.flush()
    runs = [(e["job"]["name"], e["eventType"]) for e in events]
    assert runs == [
        ("consent.ingest", "START"),
        ("consent.ingest", "COMPLETE"),
        ("consent.unify", "START"),
        ("consent.unify", "COMPLETE"),
    ]
    ingest_done = events[1]
    assert [(d["namespace"], d["name"]) for d in ingest_done["inputs"]] == [("source://crm", "api.events")]
    outputs = {d["name"]: d for d in ingest_done["outputs"]}
    assert set(outputs) == {"consent.records", "consent.unified_decisions"}
    assert outputs["consent.records"]["outputFacets"]["outputStatistics"]["rowCount"] == 1
    assert events[3]["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] > 0
