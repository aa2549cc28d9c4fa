"""Segment exports on both databases: collapsing, contact points, exclusions, re-checks, failures, lineage."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from consent import consent_lineage, export_job, export_reads, exports
from consent.models_exports import ExportMemberRow, ExportRow
from core.audit import Actor
from core.errors import InvalidInput, PayloadTooLarge
from identity import service as identity
from tests.consent.conftest import consent, profile

MARKETER = Actor(name="mia", role="marketing")
SHARED_PHONE = "+14155550100"


def cid(db, key):
    with db.session() as session:
        return identity.resolve(session, source_key=key)[0]


def submit(db, text: str | bytes, name="segment.csv", channel="email", purpose="marketing", **kwargs):
    body = text.encode() if isinstance(text, str) else text
    return exports.submit_export(
        db, source=io.BytesIO(body), filename=name, channel=channel, purpose=purpose, actor=MARKETER, **kwargs
    )


def run(db, text, **kwargs):
    chunk = kwargs.pop("chunk_size", export_job.CHUNK_SIZE)
    submitted = submit(db, text, **kwargs)
    return export_job.run_export(db, export_id=submitted.id, actor=MARKETER, chunk_size=chunk)


def compliant(db, export_id) -> list[dict]:
    with db.session() as session:
        body = b"".join(export_reads.open_download(session, export_id=export_id))
    return list(csv.DictReader(io.StringIO(body.decode())))


def exclusions(db, export_id) -> list[dict]:
    with db.session() as session:
        body = b"".join(export_reads.open_download(session, export_id=export_id, report=True))
    return list(csv.DictReader(io.StringIO(body.decode())))


def count_rows(db, model) -> int:
    with db.session() as session:
        return session.execute(sa.select(sa.func.count()).select_from(model.__table__)).scalar()


@pytest.fixture
def people(ingest):
    """Ann (two emails, the work one opted out), Bob (opted in), Cy (no consent)."""
    ingest(
        profile("C1", jurisdiction="GB", emails=["ann@home.example"]),
        profile("M1", source="marketing", jurisdiction="GB", emails=["ann@home.example", "ann@work.example"]),
        profile("C2", jurisdiction="DE", emails=["bob@example.com"]),
        profile("C3", jurisdiction="DE", emails=["cy@example.com"]),
        consent("p1", "C1", captured_at="2025-01-01T00:00:00Z"),
        consent("p2", "C2", captured_at="2025-01-01T00:00:00Z"),
        consent("u1", source="marketing", status="opt_out", contact_point="ann@work.example",
                captured_at="2025-02-01T00:00:00Z"),
    )  # fmt: skip


def test_collapses_duplicates_and_two_identifiers_and_picks_the_allowed_email(db, people):
    ann = cid(db, "crm:C1")
    text = "subject\ncrm:C1\nann@work.example\nbob@example.com\nbob@example.com\nnobody@example.com\ncy@example.com\n"
    with pytest.raises(InvalidInput) as err:  # mixed kinds in one column without a declared kind
        submit(db, text)
    assert err.value.field == "kind"
    text = "kind,value\nsource_key,crm:C1\nemail,ann@work.example\nemail,bob@example.com\nemail,BOB@example.com\n" \
           "email,nobody@example.com\nemail,cy@example.com\ncustomer,no-such-id\n"  # fmt: skip
    done = run(db, text)
    assert (done.state, done.rows_total, done.output_rows) == ("done", 7, 2)
    rows = {r["customer_id"]: r for r in compliant(db, done.id)}
    assert rows[ann]["contact_point"] == "ann@home.example"
    assert rows[cid(db, "crm:C2")]["contact_point"] == "bob@example.com"
    assert done.excluded == {"same_customer": 1, "duplicate": 1, "unknown_customer": 2, "no_consent": 1}
    report = exclusions(db, done.id)
    assert [r["reason"] for r in report] == ["same_customer", "duplicate", "unknown_customer", "no_consent",
                                             "unknown_customer"]  # fmt: skip
    with db.session() as session:
        path = Path(exports.export_row(session, done.id).directory) / "compliant.csv"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == done.checksum


def test_email_subject_opted_out_falls_back_to_the_persons_other_email(db, people):
    done = run(db, "email\nann@work.example\n")
    assert [r["contact_point"] for r in compliant(db, done.id)] == ["ann@home.example"]


def test_duplicates_across_chunks_are_collapsed(db, people):
    done = run(db, "source_key\ncrm:C1\ncrm:C2\ncrm:C1\nmarketing:M1\nghost:1\nghost:1\n", chunk_size=2)
    assert done.output_rows == 2
    assert done.excluded == {"duplicate": 2, "same_customer": 1, "unknown_customer": 1}
    assert count_rows(db, ExportMemberRow) == 2


def test_shared_phone_on_the_do_not_call_list_is_excluded(db, ingest):
    ingest(
        profile("H1", jurisdiction="US-TX", phones=[SHARED_PHONE], first_name="Ann", last_name="Lee"),
        profile("H2", jurisdiction="US-TX", phones=[SHARED_PHONE], first_name="Bob", last_name="Lee"),
        {"type": "dnc_request", "source": "support", "id": "d1", "source_key": "H1", "phone": SHARED_PHONE,
         "captured_at": "2025-01-01T00:00:00Z"},
    )  # fmt: skip
    done = run(db, "phone\n(415) 555-0100\n", channel="voice")
    assert done.output_rows == 0 and done.excluded == {"internal_dnc": 1}
    done = run(db, "source_key\ncrm:H1\ncrm:H2\n", channel="voice")
    assert done.output_rows == 0 and done.excluded == {"internal_dnc": 2}


def test_recheck_finds_an_opt_out_after_the_export_and_membership_by_customer(db, people, ingest):
    done = run(db, "source_key\ncrm:C1\ncrm:C2\n")
    bob = cid(db, "crm:C2")
    with db.session() as session:
        assert export_reads.recheck(session, export_id=done.id).no_longer_eligible == []
    ingest(consent("u2", "C2", status="opt_out", captured_at="2025-06-01T00:00:00Z"))
    with db.session() as session:
        late = export_reads.recheck(session, export_id=done.id)
        assert late.no_longer_eligible == [
            {"customer_id": bob, "contact_point": "bob@example.com", "reason": "opt_out"}
        ]
        member = export_reads.exports_for_customer(session, customer_id=bob)
        assert [(m.export.id, m.included, m.reason, m.decided_by_id) for m in member] == [
            (done.id, True, "explicit_opt_in", "p2")
        ]
        chain = consent_lineage.consent_lineage(session, customer_id=bob)
    assert ("source:crm", "record:crm/p2") in chain.edges
    assert ("record:crm/u2", "decision:email/marketing/bob@example.com") in chain.edges
    assert any(to == f"export:{done.id}" for _, to in chain.edges)


def test_jurisdiction_filter(db, people):
    done = run(db, "source_key\ncrm:C1\ncrm:C2\n", jurisdictions=["DE"])
    assert [r["customer_id"] for r in compliant(db, done.id)] == [cid(db, "crm:C2")]
    assert done.excluded == {"jurisdiction_filtered": 1}


@pytest.mark.parametrize("wanted", [["EU_EEA"], ["eu-eea"], ["FR", "de"], ["DE-*"]])
def test_jurisdiction_filter_expands_policy_regions_and_spellings(db, people, wanted):
    done = run(db, "source_key\ncrm:C1\ncrm:C2\n", jurisdictions=wanted)
    assert [r["customer_id"] for r in compliant(db, done.id)] == [cid(db, "crm:C2")]
    with db.session() as session:
        assert "DE" in session.get(ExportRow, done.id).jurisdictions


@pytest.mark.parametrize(
    ("wanted", "field"),
    [(["EUROPE"], "jurisdiction"), (["DE", "G B"], "jurisdiction[1]"), (["-*"], "jurisdiction"),
     (["  "], "jurisdiction"), (["DE", ""], "jurisdiction[1]")],
)  # fmt: skip
def test_unknown_jurisdiction_is_refused_naming_the_regions(db, people, wanted, field):
    with pytest.raises(InvalidInput) as err:
        submit(db, "source_key\ncrm:C1\n", jurisdictions=wanted)
    assert err.value.field == field
    assert "EU_EEA" in err.value.message
    assert count_rows(db, ExportRow) == 0


@pytest.mark.parametrize(
    ("body", "name", "kwargs", "field"),
    [
        (b"", "s.csv", {}, "file"),
        (b"email\n", "s.csv", {}, "file"),
        (b"name,city\nAnn,Berlin\n", "s.csv", {}, "columns"),
        (b"email,phone\na@example.com,+14155550100\n", "s.csv", {}, "column"),
        (b"subject\na@example.com\n+14155550100\n", "s.csv", {}, "kind"),
        ("email\nj\u00f6rg@example.com\n".encode("latin-1"), "s.csv", {}, "file"),
        (b"email\na@example.com\n", "s.xlsx", {}, "format"),
        (b"email\na@example.com\n", "s.csv", {"channel": "pigeon"}, "channel"),
        (b"email\na@example.com\n", "s.csv", {"purpose": "gossip"}, "purpose"),
        (b'{"email": "a@example.com"}\n{oops\n', "s.jsonl", {}, "line 2"),
        (b"email,name\na@example.com,Ann\n,Bob\n", "s.csv", {}, "line 3"),
        (b"kind,value\nemail,a@example.com\nemail\n", "s.csv", {}, "line 3.value"),
        (b"value,kind\na@example.com,email\nb@example.com\n", "s.csv", {}, "line 3.kind"),
    ],
)
def test_bad_input_names_the_field_and_records_nothing(db, body, name, kwargs, field):
    before = set(exports.exports_root(db).glob("*"))
    with pytest.raises(InvalidInput) as err:
        submit(db, body, name=name, **kwargs)
    assert err.value.field == field
    assert count_rows(db, ExportRow) == 0
    assert set(exports.exports_root(db).glob("*")) == before


def test_upload_over_the_size_limit_is_refused(db, monkeypatch):
    import dataclasses

    # monkeypatch puts the settings back: the PostgreSQL `db` is shared by the tests of a worker.
    monkeypatch.setattr(db, "settings", dataclasses.replace(db.settings, max_upload_bytes=64))
    with pytest.raises(PayloadTooLarge):
        submit(db, "email\n" + "a@example.com\n" * 10)
    assert count_rows(db, ExportRow) == 0


def test_json_list_and_jsonl(db, people):
    done = run(db, '["crm:C1", "crm:C2"]', name="s.json")
    assert done.output_rows == 2
    done = run(db, f'{{"customer_id": "{cid(db, "crm:C2")}"}}\n', name="s.jsonl")
    assert done.output_rows == 1
    with db.session() as session:
        lines = b"".join(export_reads.open_download(session, export_id=done.id, fmt="jsonl")).splitlines()
    assert lines[0].startswith(b'{"customer_id"')


def test_failure_mid_job_leaves_failed_state_and_no_file(db, people):
    submitted = submit(db, "source_key\ncrm:C1\ncrm:C2\ncrm:C3\n")

    def stop(done, total):
        if done >= 2:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        export_job.run_export(db, export_id=submitted.id, actor=MARKETER, chunk_size=1, progress=stop)
    failed = exports.get(db, submitted.id)
    assert (failed.state, failed.message) == ("failed", "disk full")
    with db.session() as session:
        folder = Path(exports.export_row(session, submitted.id).directory)
    assert sorted(p.name for p in folder.iterdir()) == ["segment.csv"]
    assert count_rows(db, ExportMemberRow) == 0


def test_retention_deletes_files_and_keeps_the_record(db, people):
    from datetime import timedelta

    from core import clock

    done = run(db, "source_key\ncrm:C1\n")
    with db.session(write=True) as session:
        purged = export_reads.purge_expired(session, actor=MARKETER, now=clock.now() + timedelta(days=31))
    assert purged == [done.id]
    assert exports.get(db, done.id).files_deleted_at is not None
    with db.session() as session, pytest.raises(Exception, match="retention"):
        export_reads.open_download(session, export_id=done.id)


def test_export_emits_lineage_and_registers_its_dataset(db, people):
    from catalog import find_dataset
    from core.openlineage import Emitter

    events: list[dict] = []
    submitted = submit(db, "source_key\ncrm:C1\ncrm:C2\n")
    emitter = Emitter(local_sink=events.append)
    export_job.run_export(db, export_id=submitted.id, actor=MARKETER, emitter=emitter)
    emitter.flush()
    assert [(e["job"]["name"], e["eventType"]) for e in events] == [
        ("consent.export", "START"),
        ("consent.export", "COMPLETE"),
    ]
    done = events[1]
    assert [d["name"] for d in done["inputs"]] == [
        f"exports.{submitted.id}.segment",
        "consent.unified_decisions",
    ]
    output = done["outputs"][0]
    assert output["name"] == f"exports.{submitted.id}.compliant"
    assert output["outputFacets"]["outputStatistics"]["rowCount"] == 2
    with db.session() as session:
        registered = find_dataset(session, namespace="concord", name=output["name"])
    assert registered is not None
