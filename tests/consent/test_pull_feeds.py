"""Pulls from source databases through the mapping, and CSV / JSON Lines feeds, on both databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from catalog import scanner, sources
from catalog.models import CatalogDataset
from consent import eligibility, feeds, pulls
from consent.models import ConsentRecordRow, PullStateRow, SuppressionRow
from consent.pull_mapping import load_mapping
from consent.yaml_doc import DocumentError
from core.errors import InvalidInput
from core.openlineage import Emitter
from identity import service as identity
from tests.consent.conftest import INGEST, profile

PREFS = [
    ("P1", "C1", "email", "marketing", "opt_in", "web_form", "2025-01-01T10:00:00Z", "2025-01-02T02:00:00Z",
     "crm:web-contact-form", "v3", "https://example.com/f", "10.0.0.1"),
    ("P2", "C1", "email", "marketing.offers", "opt_out", "unsubscribe_link", "2025-02-01T10:00:00Z",
     "2025-02-02T02:00:00Z", "", "", "", ""),
]  # fmt: skip


def crm_db(tmp_path: Path, prefs=PREFS) -> Path:
    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE contacts (contact_id TEXT PRIMARY KEY, first_name, last_name, email, phone, street, "
                     "city, postal_code, region, country, created_at, updated_at)")  # fmt: skip
        conn.execute("CREATE TABLE contact_preferences (pref_id TEXT PRIMARY KEY, contact_id, channel, purpose, status, "
                     "method, captured_at, synced_at, capture_source, notice_version, evidence_url, ip_address)")  # fmt: skip
        conn.executemany("INSERT INTO contacts (contact_id, email, phone, country) VALUES (?, ?, ?, ?)",
                         [("C1", "ann@example.com", "030 1234567", "DE"), ("C2", "bo@example.com", None, "GB")])  # fmt: skip
        conn.executemany("INSERT INTO contact_preferences VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", prefs)
    return path


def count(db, model) -> int:
    with db.session() as session:
        return session.execute(sa.select(sa.func.count()).select_from(model.__table__)).scalar_one()


def pull(db, url, source="crm", **kwargs):
    with db.session(write=True) as session:
        return pulls.pull(session, source=source, url=str(url), actor=INGEST, **kwargs)


def test_pull_maps_rows_to_events_and_is_incremental(db, ingest, tmp_path):
    ingest(profile("C1", emails=["ann@example.com"], phones=["+49 30 1234567"]))
    with db.session(write=True) as session:  # as `concord identity pull` loads profiles: consent is not told
        record = identity.SourceRecordIn(
            "crm", "C2", first_name="Bo", emails=("bo@example.com",), country="GB"
        )
        identity.upsert_source_records(session, records=[record], actor=INGEST)
    url = crm_db(tmp_path)
    first = pull(db, url)
    assert first.rows == {"contact_preferences": 2}
    assert first.ingest.stored == {"consent": 2}
    assert first.customers_added == 1  # C2 has no preferences but now has decisions too
    with db.session() as session:
        ann = identity.resolve(session, source_key="crm:C1")[0]
        answer = eligibility.check(session, kind="customer", value=ann, channel="email", purpose="marketing")
        assert (answer.allowed, answer.decided_by_id) == (True, "P1")
        offers = eligibility.check(
            session, kind="customer", value=ann, channel="email", purpose="marketing.offers"
        )
        assert offers.reason == "opt_out"
        stored = session.execute(
            sa.select(ConsentRecordRow.__table__).where(ConsentRecordRow.source_id == "P1")
        ).one()
        assert stored.evidence == {"capture_source": "crm:web-contact-form", "notice_version": "v3",
                                   "url": "https://example.com/f", "ip": "10.0.0.1"}  # fmt: skip
        assert stored.jurisdiction == "DE"
        assert session.get(PullStateRow, ("crm", "contact_preferences")).cursor == "2025-02-02T02:00:00Z"
    again = pull(db, url)
    assert again.rows == {"contact_preferences": 1}  # only rows at the cursor are read again
    assert again.ingest.duplicates == {"consent": 1} and not again.ingest.stored


def test_one_bad_row_stores_nothing_and_keeps_the_cursor(db, tmp_path):
    bad = [*PREFS, ("P3", "C1", "fax", "marketing", "opt_in", "web_form", "2025-03-01T00:00:00Z",
                    "2025-03-02T00:00:00Z", "x", "", "", "")]  # fmt: skip
    with pytest.raises(InvalidInput) as err:
        pull(db, crm_db(tmp_path, bad))
    assert err.value.field == "contact_preferences[P3].channel"
    assert count(db, ConsentRecordRow) == 0 and count(db, PullStateRow) == 0


def test_marketing_suppressions_and_the_registry_file(db, ingest, tmp_path):
    path = tmp_path / "marketing.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE subscribers (subscriber_id TEXT PRIMARY KEY, email, first_name, last_name, phone, "
                     "country, region, created_at)")  # fmt: skip
        conn.execute("CREATE TABLE subscriptions (record_id TEXT PRIMARY KEY, subscriber_id, email, phone, channel, "
                     "purpose, status, method, captured_at, received_at, expires_at, capture_source, notice_version, "
                     "url, ip_address)")  # fmt: skip
        conn.execute(
            "CREATE TABLE bounces (bounce_id TEXT PRIMARY KEY, email, bounce_type, occurred_at, expires_at)"
        )
        conn.execute("CREATE TABLE spam_complaints (complaint_id TEXT PRIMARY KEY, email, occurred_at)")
        conn.execute(
            "INSERT INTO subscribers VALUES ('M1', 'uk@example.com', 'Una', 'Kay', '020 7946 0018', 'GB', '', '')"
        )
        conn.execute("INSERT INTO subscriptions VALUES ('S1', 'M1', 'uk@example.com', '020 7946 0018', 'sms', "
                     "'marketing', 'opt_in', 'sms_keyword_start', '2025-01-01T00:00:00Z', '2025-01-01T00:01:00Z', NULL, "
                     "'esp:sms', 'v1', NULL, NULL)")  # fmt: skip
        conn.execute(
            "INSERT INTO bounces VALUES ('B1', 'uk@example.com', 'hard', '2025-01-05T00:00:00Z', '2099-01-01T00:00:00Z')"
        )
        conn.execute("INSERT INTO spam_complaints VALUES ('X1', 'UK@example.com', '2025-01-06T00:00:00Z')")
    ingest(
        profile(
            "M1",
            source="marketing",
            jurisdiction="GB",
            emails=["uk@example.com"],
            phones=["+44 20 7946 0018"],
        )
    )
    result = pull(db, path, source="marketing")
    assert result.ingest.stored == {"consent": 1, "suppression": 2}
    with db.session() as session:
        sms = eligibility.check(
            session, kind="phone", value="+442079460018", channel="sms", purpose="marketing"
        )
        assert (sms.allowed, sms.reason) == (True, "explicit_opt_in")  # the GB number was read in its country
        email = eligibility.check(
            session, kind="email", value="uk@example.com", channel="email", purpose="transactional"
        )
        assert email.reason == "suppressed"
    assert count(db, SuppressionRow) == 2

    registry = tmp_path / "us_national_dnc_2025-02-01.csv"
    registry.write_text("phone\n4155550100\n2125550000\n")
    listed = pull(db, registry, source="registry")
    assert listed.ingest.stored == {"dnc_registry_snapshot": 1}
    with pytest.raises(InvalidInput) as err:
        pull(db, tmp_path / "registry.csv", source="registry")
    assert err.value.field == "url"


def test_mapping_errors_name_the_line(tmp_path):
    with pytest.raises(DocumentError) as err:
        load_mapping(
            "sources:\n  crm:\n    tables:\n      prefs:\n        type: consent\n        fields: {colour: c}\n"
        )
    assert err.value.details["line"] == 6 and "not a field of a consent event" in err.value.message
    with pytest.raises(DocumentError) as err:
        load_mapping(
            "sources:\n  crm:\n    tables:\n      prefs:\n        type: consent\n        fields: {id: 'x; DROP'}\n"
        )
    assert "plain table or column name" in err.value.message


def test_csv_and_jsonl_feeds(db, ingest):
    ingest(profile("C1", emails=["ann@example.com"]))
    csv_text = ("type,id,source_key,channel,purpose,status,method,captured_at,evidence.capture_source\n"
                "consent,f1,C1,email,marketing,opt_in,web_form,2025-01-01T00:00:00Z,crm:form\n"
                "\n"
                "consent,f2,C1,email,marketing.offers,opt_in,web_form,2025-01-01T00:00:00Z,crm:form\n")  # fmt: skip
    feed = feeds.parse_feed(csv_text.encode(), fmt="csv", source="crm")
    assert feed.lines == [2, 4] and feed.events[0]["evidence"] == {"capture_source": "crm:form"}
    with db.session(write=True) as session:
        assert feeds.ingest_feed(session, feed=feed, name="prefs.csv", actor=INGEST).stored == {"consent": 2}
    jsonl = b'{"type": "consent", "id": "j1", "source_key": "C1", "channel": "email"}\n{not json\n'
    with pytest.raises(InvalidInput) as err:
        feeds.parse_feed(jsonl, fmt="jsonl", source="crm")
    assert err.value.field == "line 2"
    one_bad = feeds.parse_feed(jsonl.splitlines()[0] + b"\n", fmt="jsonl", source="crm")
    with db.session(write=True) as session, pytest.raises(InvalidInput) as err:
        feeds.ingest_feed(session, feed=one_bad, name="x.jsonl", actor=INGEST)
    assert err.value.field == "line 1.purpose"
    with pytest.raises(InvalidInput):
        feeds.parse_feed(b"type,id\nconsent\n", fmt="csv")
    assert feeds.detect_format("a.ndjson", None) == "jsonl"


def test_a_pull_names_its_inputs_as_the_catalogue_scanner_names_the_tables(db, ingest, tmp_path):
    ingest(profile("C1", emails=["ann@example.com"]))
    url = crm_db(tmp_path)
    events: list[dict] = []
    pull(db, url, emitter=Emitter(local_sink=events.append))
    with db.session(write=True) as session:
        sources.register_source(session, name="crm", url=f"sqlite:///{url}", actor=INGEST)
        scanner.scan_source(session, name="crm", actor=INGEST)
    with db.session() as session:
        scanned = {(d.namespace, d.name) for d in session.exec(select(CatalogDataset))}
    ingest_run = next(
        e for e in events if e["job"]["name"] == "consent.pull.crm" and e["eventType"] == "COMPLETE"
    )
    inputs = {(d["namespace"], d["name"]) for d in ingest_run["inputs"]}
    assert inputs == {(f"sqlite://{url}", "contact_preferences")}
    assert inputs <= scanned  # the consent run's lineage starts at the scanned table
