"""The generated files keep the contract in /work/wt/sample_schema.md: layout, tables, columns, vocabulary."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from datetime import timedelta

import phonenumbers
import pytest

from core.clock import parse_instant
from sample_data import generate, generator
from sample_data.schema import PII_CLASSES

from .conftest import AS_OF, PEOPLE

# Written out here, not imported, so renaming or dropping a column in the generator fails this test.
CONTRACT = {
    "crm": {
        "contacts": "contact_id first_name last_name email phone street city postal_code region country "
        "created_at updated_at",
        "contact_preferences": "pref_id contact_id channel purpose status method captured_at synced_at "
        "capture_source notice_version evidence_url ip_address",
    },
    "billing": {
        "accounts": "account_id full_name billing_email phone street city postal_code region country opened_at",
        "purchases": "purchase_id account_id occurred_at amount_cents currency soft_opt_in_notice_given",
    },
    "support": {
        "requesters": "requester_id name email phone country region created_at",
        "tickets": "ticket_id requester_id opened_at kind subject",
        "dnc_requests": "request_id requester_id phone channel requested_at note",
        "objections": "objection_id requester_id purpose captured_at received_at note",
    },
    "marketing": {
        "subscribers": "subscriber_id email first_name last_name phone country region created_at",
        "subscriptions": "record_id subscriber_id email phone channel purpose status method captured_at "
        "received_at expires_at capture_source notice_version url ip_address",
        "bounces": "bounce_id email bounce_type occurred_at expires_at",
        "spam_complaints": "complaint_id email occurred_at",
    },
    "product": {
        "users": "user_id email phone full_name country region signup_at",
        "app_consents": "consent_id user_id channel purpose status method captured_at received_at expires_at "
        "notice_version app_version ip_address",
        "gpc_signals": "signal_id user_id observed_at user_agent",
    },
}
CHANNELS = {"email", "sms", "voice", "post", "paid_media"}
PURPOSES = {"marketing", "marketing.newsletter", "marketing.offers", "marketing.partner_offers",
            "advertising.third_party_sharing", "transactional"}  # fmt: skip
STATUSES = {"opt_in", "opt_out", "objection", "pending"}
METHODS = {"web_form", "preference_center", "double_opt_in_confirmed", "double_opt_in_pending", "written_signed",
           "verbal_recorded", "sms_keyword_start", "sms_keyword_stop", "unsubscribe_link", "in_app_toggle",
           "import", "sales_rep_entry"}  # fmt: skip
CONSENT_TABLES = (("crm", "contact_preferences"), ("marketing", "subscriptions"), ("product", "app_consents"))
RECORD_TABLES = (("crm", "contacts", "contact_id"), ("billing", "accounts", "account_id"),
                 ("support", "requesters", "requester_id"), ("marketing", "subscribers", "subscriber_id"),
                 ("product", "users", "user_id"))  # fmt: skip


def _columns(db, table):
    with sqlite3.connect(db) as conn:
        return [(r[1], r[5]) for r in conn.execute(f"PRAGMA table_info({table})")]


def test_layout_and_manifest_header(sample):
    root = sample.root
    for system in CONTRACT:
        assert (root / "sources" / f"{system}.db").is_file()
    snapshot = (AS_OF - timedelta(days=3)).strftime("%Y-%m-%d")
    assert (root / "registry" / f"us_national_dnc_{snapshot}.csv").is_file()
    doc = json.loads((root / "manifest.json").read_text())
    assert (doc["seed"], doc["customers"], doc["as_of"]) == (11, PEOPLE, "2025-06-01T12:00:00Z")
    assert doc["row_counts"] == {name: entry["rows"] for name, entry in doc["tables"].items()}
    assert doc["pii_classes"]["billing.payment_methods.card_number"] == "payment_card"
    assert len(doc["pii_classes"]) == sum(len(entry["columns"]) for entry in doc["tables"].values())
    for entry in doc["files"]:
        data = (root / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]


@pytest.mark.parametrize("system", sorted(CONTRACT))
def test_every_contract_table_and_column_exists_in_order(sample, system):
    for table, spec in CONTRACT[system].items():
        columns = _columns(sample.source_db(system), table)
        names = [name for name, _ in columns]
        assert names[: len(spec.split())] == spec.split(), f"{system}.{table}"
        assert columns[0][1] == 1, f"{system}.{table}: first column is the primary key"


def test_row_counts_and_pii_classes_match_the_manifest(sample):
    for qualified, entry in sample.tables.items():
        system, table = qualified.split(".")
        with sqlite3.connect(sample.source_db(system)) as conn:
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == entry["rows"], qualified
        assert set(entry["columns"]) == {name for name, _ in _columns(sample.source_db(system), table)}
        assert set(entry["columns"].values()) <= {*PII_CLASSES, None}
    assert sample.pii_class("crm.contacts", "email") == "email"
    assert sample.pii_class("crm.contacts", "date_of_birth") == "date_of_birth"
    assert sample.pii_class("billing.payment_methods", "card_number") == "payment_card"
    assert sample.pii_class("billing.accounts", "full_name") == "person_name"
    assert sample.pii_class("crm.contact_preferences", "ip_address") == "ip_address"
    assert sample.pii_class("support.tickets", "kind") is None
    assert sample.as_of_instant == AS_OF
    assert sample.registry_downloaded_at.date() == (AS_OF - timedelta(days=3)).date()
    with sample.registry_path.open() as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == sample.registry["rows"]


def test_truth_covers_every_source_record_once(sample, person_of, query):
    keys = set()
    for system, table, key in RECORD_TABLES:
        keys |= {(system, k) for (k,) in query(system, f"SELECT {key} FROM {table}")}
    assert set(person_of) == keys
    assert len(keys) == sample.cases["source_records"]
    assert len(set(person_of.values())) == PEOPLE
    assert 2.0 < len(keys) / PEOPLE < 2.6  # about 2.3 records per person


def test_vocabulary_and_timestamps(sample, query):
    as_of = AS_OF
    for system, table in CONSENT_TABLES:
        received = "synced_at" if system == "crm" else "received_at"
        rows = query(system, f"SELECT channel, purpose, status, method, captured_at, {received} FROM {table}")
        assert rows
        for channel, purpose, status, method, captured, arrived in rows:
            assert channel in CHANNELS and purpose in PURPOSES and status in STATUSES and method in METHODS
            assert (
                as_of - timedelta(days=3 * 365 + 1)
                < parse_instant(captured)
                <= parse_instant(arrived)
                <= as_of
            )
    kinds = {k for (k,) in query("support", "SELECT DISTINCT kind FROM tickets")}
    assert kinds == {"inquiry", "complaint", "billing_question"}
    assert {t for (t,) in query("marketing", "SELECT DISTINCT bounce_type FROM bounces")} == {"hard", "soft"}


def test_countries_regions_and_phones_are_valid(query):
    countries = set()
    for system, table, _ in RECORD_TABLES:
        for country, region, phone in query(system, f"SELECT country, region, phone FROM {table}"):
            countries.add(country)
            if country in ("US", "CA"):
                assert len(region) == 2 and region.isupper()
            else:
                assert region == ""
            if phone:
                number = phonenumbers.parse(phone, country)
                assert phonenumbers.is_valid_number(number), (system, phone)
    assert {"DE", "FR", "NL", "IE", "ES", "IT", "GB", "US", "CA"} <= countries
    assert countries - {"DE", "FR", "NL", "IE", "ES", "IT", "GB", "US", "CA"}  # a few nobody has rules for


def test_same_seed_size_and_instant_give_identical_files(tmp_path, monkeypatch):
    def digests(folder):
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip

    first = generate(tmp_path / "a", customers=400, seed=3, as_of=AS_OF, progress=False)
    monkeypatch.setattr(generator, "BACKGROUND_FROM", 1)  # the second run writes from a child process
    second = generate(tmp_path / "b", customers=400, seed=3, as_of=AS_OF, progress=False)
    other = generate(tmp_path / "c", customers=400, seed=4, as_of=AS_OF, progress=False)
    assert digests(first.root) == digests(second.root)
    assert digests(first.root)["sources/crm.db"] != digests(other.root)["sources/crm.db"]


def test_regenerating_into_the_same_folder_replaces_everything(tmp_path):
    generate(tmp_path, customers=300, seed=1, as_of=AS_OF, progress=False)
    again = generate(tmp_path, customers=200, seed=2, as_of=AS_OF + timedelta(days=10), progress=False)
    assert again.cases["people"] == 200
    assert len(list((tmp_path / "registry").glob("*.csv"))) == 1
    with sqlite3.connect(again.source_db("crm")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == again.row_count("crm.contacts")
