"""Small SQLite copies of the sample company's five source databases (tables as in sample_schema.md),
with the PII class every column is expected to carry. Used until the generator's output is available.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Marie",
    "Jürgen",
    "Zoë",
    "Ngozi",
    "Hiroshi",
    "Amélie",
    "Liam",
    "Sofia",
    "Mateo",
]
LAST = ["Lovelace", "Hopper", "Turing", "Curie", "Müller", "O'Brien", "Okafor", "Tanaka", "Dubois", "Smith"]
STREETS = ["Main St", "Hauptstraße", "Rue de Rivoli", "High Street", "Calle Mayor", "Elm Avenue"]
CITIES = ["Berlin", "Paris", "London", "Madrid", "San Francisco", "Toronto", "Dublin"]
COUNTRIES = ["DE", "FR", "GB", "ES", "US", "CA", "IE"]
PHONES = ["+1 415-555-{:04d}", "(415) 555-{:04d}", "415555{:04d}", "+44 20 7946 {:04d}", "020 7946 {:04d}"]
CHANNELS = ["email", "sms", "voice", "post"]
PURPOSES = ["marketing", "marketing.newsletter", "transactional"]
STATUSES = ["opt_in", "opt_out", "objection", "pending"]
METHODS = ["web_form", "preference_center", "double_opt_in_confirmed", "in_app_toggle", "import"]

TABLES = {
    "crm": {
        "contacts": "contact_id TEXT PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT, phone TEXT, street TEXT, city TEXT, postal_code TEXT, region TEXT, country TEXT, created_at TEXT, updated_at TEXT",
        "contact_preferences": "pref_id TEXT PRIMARY KEY, contact_id TEXT, channel TEXT, purpose TEXT, status TEXT, method TEXT, captured_at TEXT, synced_at TEXT, capture_source TEXT, notice_version TEXT, evidence_url TEXT, ip_address TEXT",
    },
    "billing": {
        "accounts": "account_id TEXT PRIMARY KEY, full_name TEXT, billing_email TEXT, phone TEXT, street TEXT, city TEXT, postal_code TEXT, region TEXT, country TEXT, opened_at TEXT",
        "purchases": "purchase_id TEXT PRIMARY KEY, account_id TEXT, occurred_at TEXT, amount_cents INTEGER, currency TEXT, soft_opt_in_notice_given INTEGER",
    },
    "support": {
        "requesters": "requester_id TEXT PRIMARY KEY, name TEXT, email TEXT, phone TEXT, country TEXT, region TEXT, created_at TEXT",
        "tickets": "ticket_id TEXT PRIMARY KEY, requester_id TEXT, opened_at TEXT, kind TEXT, subject TEXT",
        "dnc_requests": "request_id TEXT PRIMARY KEY, requester_id TEXT, phone TEXT, channel TEXT, requested_at TEXT, note TEXT",
        "objections": "objection_id TEXT PRIMARY KEY, requester_id TEXT, purpose TEXT, captured_at TEXT, received_at TEXT, note TEXT",
    },
    "marketing": {
        "subscribers": "subscriber_id TEXT PRIMARY KEY, email TEXT, first_name TEXT, last_name TEXT, phone TEXT, country TEXT, region TEXT, created_at TEXT",
        "subscriptions": "record_id TEXT PRIMARY KEY, subscriber_id TEXT, email TEXT, phone TEXT, channel TEXT, purpose TEXT, status TEXT, method TEXT, captured_at TEXT, received_at TEXT, expires_at TEXT, capture_source TEXT, notice_version TEXT, url TEXT, ip_address TEXT",
        "bounces": "bounce_id TEXT PRIMARY KEY, email TEXT, bounce_type TEXT, occurred_at TEXT, expires_at TEXT",
        "spam_complaints": "complaint_id TEXT PRIMARY KEY, email TEXT, occurred_at TEXT",
    },
    "product": {
        "users": "user_id TEXT PRIMARY KEY, email TEXT, phone TEXT, full_name TEXT, country TEXT, region TEXT, signup_at TEXT",
        "app_consents": "consent_id TEXT PRIMARY KEY, user_id TEXT, channel TEXT, purpose TEXT, status TEXT, method TEXT, captured_at TEXT, received_at TEXT, expires_at TEXT, notice_version TEXT, app_version TEXT, ip_address TEXT",
        "gpc_signals": "signal_id TEXT PRIMARY KEY, user_id TEXT, observed_at TEXT, user_agent TEXT",
    },
}

_NAME = {"first_name", "last_name", "full_name", "name"}
_ADDRESS = {"street", "city", "postal_code"}


def expected_class(column: str) -> str | None:
    """The PII class the manifest gives a column of these tables."""
    if column in _NAME:
        return "person_name"
    if "email" in column:
        return "email"
    if column == "phone":
        return "phone"
    if column in _ADDRESS:
        return "postal_address"
    if column == "ip_address":
        return "ip_address"
    if column in {"status", "soft_opt_in_notice_given"}:
        return "consent_flag"
    return None


def manifest() -> dict[str, dict[str, dict[str, str | None]]]:
    """{system: {table: {column: class or None}}}, as manifest.json lists them."""
    return {
        system: {
            table: {c.split()[0]: expected_class(c.split()[0]) for c in ddl.split(", ")}
            for table, ddl in tables.items()
        }
        for system, tables in TABLES.items()
    }


def _value(rng: random.Random, column: str, i: int) -> object:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    values = {
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}",
        "name": f"{first} {last}",
        "phone": rng.choice(PHONES).format(i),
        "street": f"{rng.randint(1, 200)} {rng.choice(STREETS)}",
        "city": rng.choice(CITIES),
        "postal_code": f"{rng.randint(10000, 99999)}",
        "country": rng.choice(COUNTRIES),
        "region": rng.choice(["CA", "NY", "ON", ""]),
        "channel": rng.choice(CHANNELS),
        "purpose": rng.choice(PURPOSES),
        "status": rng.choice(STATUSES),
        "method": rng.choice(METHODS),
        "ip_address": f"203.0.113.{i % 250}" if i % 3 else f"2001:db8::{i:x}",
        "amount_cents": rng.randint(100, 50000),
        "currency": rng.choice(["EUR", "USD", "GBP"]),
        "soft_opt_in_notice_given": rng.randint(0, 1),
        "kind": rng.choice(["inquiry", "complaint", "billing_question"]),
        "bounce_type": rng.choice(["hard", "soft"]),
        "subject": rng.choice(["Login problem", "Invoice question", "Cancel my plan"]),
        "note": rng.choice(["customer asked by phone", "", "escalated"]),
        "evidence_url": f"https://forms.example.com/evidence/{i}",
        "url": f"https://example.com/signup?ref={i}",
        "notice_version": f"v{rng.randint(1, 4)}",
        "app_version": f"3.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
        "capture_source": rng.choice(["website", "app", "store"]),
        "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15",
    }
    if column in values:
        return values[column]
    if "email" in column:
        return f"{first.lower()}.{last.lower()}{i}@example.{rng.choice(['com', 'org', 'de'])}".replace(
            "'", ""
        )
    if column.endswith("_at"):
        return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:{i % 60:02d}:00Z"
    return f"{column[:3].upper()}{i:06d}"


def write_sources(folder: Path, rows: int = 40, seed: int = 7) -> dict[str, Path]:
    """Write the five source databases into `folder`; returns {system: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = {}
    for system, tables in TABLES.items():
        path = folder / f"{system}.db"
        with sqlite3.connect(path) as conn:
            for table, ddl in tables.items():
                conn.execute(f"CREATE TABLE {table} ({ddl})")
                cols = [c.split()[0] for c in ddl.split(", ")]
                data = [[_value(rng, c, i) for c in cols] for i in range(rows)]
                conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(cols))})", data)
        conn.close()
        paths[system] = path
    return paths
