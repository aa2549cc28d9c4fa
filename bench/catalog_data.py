"""Synthetic catalogue content for the catalogue benchmark: bulk-inserted rows, and a many-table source.

The search benchmark does not go through `register_dataset` for its 50,000 datasets and 1,000,000
columns: that would measure registration, not search. It inserts the rows directly, then builds the
search index with the real `rebuild` (which is timed and reported too).
"""

from __future__ import annotations

import itertools
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from catalog.models import CatalogColumn, CatalogDataset, CatalogOwner, CatalogTag
from catalog.models_governance import CatalogColumnClass
from catalog.models_ops import CatalogUsageDaily

_DOMAIN_WORDS = (
    "customer order invoice payment subscription ticket campaign consent product session event address "
    "account lead opportunity shipment refund churn segment household contact preference bounce complaint "
    "signup login cart checkout coupon loyalty reward review rating survey feedback call chat email sms "
    "push notification device browser store region country currency price discount tax revenue margin "
    "forecast budget vendor supplier inventory warehouse delivery return claim policy premium agent "
    "branch employee team department partner affiliate channel attribution impression click conversion "
    "audience cohort retention activation engagement funnel journey touchpoint identity profile merge "
    "crosswalk suppression optout optin gdpr ccpa marketing newsletter offer promotion catalog sku "
    "variant bundle plan tier trial renewal cancellation credit "
)
_COLUMN_WORDS = "id key name first last full email phone street city postal code status type kind created updated deleted amount count total date time at by source flag score ip agent url"
DOMAIN = _DOMAIN_WORDS.split()
PREFIXES = ["raw", "stg", "int", "dim", "fct", "agg", "snapshot", "mart", "tmp", "rpt"]
SUFFIXES = ["", "", "", "daily", "hourly", "history", "latest", "v2", "clean", "enriched", "summary"]
COLUMN_WORDS = DOMAIN + _COLUMN_WORDS.split()
SYSTEMS = [
    "crm",
    "billing",
    "support",
    "marketing",
    "product",
    "erp",
    "web",
    "mobile",
    "finance",
    "hr",
    "warehouse",
    "lake",
]
TEAMS = [
    f"team:{t}"
    for t in ("crm", "billing", "support", "growth", "data-platform", "finance", "analytics", "privacy")
]
CLASSES = ["email", "phone", "person_name", "postal_address", "ip_address", "consent_flag", "date_of_birth"]


class Zipf:
    """Words drawn with Zipf's law (s = 1): the k-th most common word is k times rarer than the first."""

    def __init__(self, words: list[str], seed: int):
        self.words = list(words)
        random.Random(seed).shuffle(self.words)
        self.cum = list(itertools.accumulate(1 / (k + 1) for k in range(len(self.words))))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.words, cum_weights=self.cum)[0]


def _jargon(count: int, seed: int) -> list[str]:
    # Company-specific words (product names, system codes): the long tail of a real catalogue's vocabulary.
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ter", "vex", "dra", "nor", "pel", "sun", "zi", "bar", "quo", "fen", "ru"]
    return sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))) for _ in range(count)})


def _unique(seen: set[str], name: str) -> str:
    candidate, n = name, 1
    while candidate in seen:
        n += 1
        candidate = f"{name}_v{n}"
    seen.add(candidate)
    return candidate


def insert_catalogue(engine: sa.Engine, datasets: int, columns_per: int, seed: int = 11) -> int:
    """Insert `datasets` datasets with `columns_per` columns each, owners, tags, classes and usage."""
    rng = random.Random(seed)
    jargon = _jargon(3000, seed)
    names, colwords = Zipf(DOMAIN + jargon, seed), Zipf(COLUMN_WORDS + jargon[:600], seed + 1)
    now = datetime.now(UTC)
    ds_rows, col_rows, owners, tags, classes, usage, seen = [], [], [], [], [], [], set()
    for i in range(datasets):
        ds_id = f"ds_bench{i:08d}"
        words = [names(rng) for _ in range(rng.randint(1, 3))]
        name = "_".join(filter(None, [rng.choice(PREFIXES), *words, rng.choice(SUFFIXES)]))
        system = rng.choice(SYSTEMS)
        cert = rng.random()
        ds_rows.append(
            {
                "id": ds_id,
                "namespace": f"postgres://{system}-db:5432",
                "name": _unique(seen, f"{system}.public.{name}"),
                "kind": "table",
                "origin": "scan",
                "source_system": system,
                "current_version": 1,
                "status": "active",
                "description": " ".join(names(rng) for _ in range(rng.randint(4, 14))),
                "created_at": now,
                "updated_at": now,
                "certification": "certified" if cert < 0.05 else "deprecated" if cert > 0.97 else "draft",
                "certification_expired": False,
                "stale": rng.random() < 0.1,
                "last_updated_at": now - timedelta(hours=rng.randint(1, 2000)),
                "expected_update_seconds": 86400,
            }
        )
        for c in range(columns_per):
            common = ("id", "created_at", "updated_at")
            col = common[c] if c < len(common) else "_".join(colwords(rng) for _ in range(rng.randint(1, 3)))
            col_rows.append(
                {
                    "dataset_id": ds_id,
                    "name": f"{col}_{c}",
                    "type": rng.choice(["TEXT", "INTEGER", "TIMESTAMP", "NUMERIC"]),
                    "ordinal": c + 1,
                    "description": None,
                }
            )
        owners.append(
            {
                "dataset_id": ds_id,
                "owner": rng.choice(TEAMS),
                "kind": "team",
                "role": "owner",
                "origin": "scan",
            }
        )
        if rng.random() < 0.3:
            tags.append(
                {
                    "dataset_id": ds_id,
                    "tag": rng.choice(["customer-360", "gdpr", "finance", "certified-source", "pii"]),
                    "added_by": "bench",
                    "added_at": now,
                }
            )
        for cls in rng.sample(CLASSES, rng.randint(0, 2)):
            classes.append(
                {
                    "dataset_id": ds_id,
                    "column_name": col_rows[-1]["name"],
                    "pii_class": cls,
                    "status": "suggested",
                    "source": "rule:bench",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if rng.random() < 0.2:
            usage.append(
                {
                    "dataset_id": ds_id,
                    "day": now.date(),
                    "views": rng.randint(1, 500),
                    "queries": rng.randint(0, 200),
                }
            )
    with engine.begin() as conn:
        conn.execute(sa.insert(CatalogDataset.__table__), ds_rows)
        for start in range(0, len(col_rows), 100_000):
            _bulk_columns(conn, col_rows[start : start + 100_000])
        for table, rows in (
            (CatalogOwner, owners),
            (CatalogTag, tags),
            (CatalogColumnClass, classes),
            (CatalogUsageDaily, usage),
        ):
            if rows:
                conn.execute(sa.insert(table.__table__), rows)
    return len(col_rows)


def _bulk_columns(conn: sa.Connection, rows: list[dict]) -> None:
    if conn.dialect.name != "postgresql":
        conn.execute(sa.insert(CatalogColumn.__table__), rows)
        return
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy("COPY catalog_column (dataset_id, name, type, ordinal) FROM STDIN") as copy:
        for r in rows:
            copy.write_row((r["dataset_id"], r["name"], r["type"], r["ordinal"]))


def queries(count: int, seed: int = 5) -> list[tuple[str, dict]]:
    """A mix of what people type: common and rare words, pairs, prefixes, typos, facet filters, browsing."""
    rng = random.Random(seed)
    names = Zipf(DOMAIN + _jargon(3000, 11), 11)
    out: list[tuple[str, dict]] = []
    for i in range(count):
        kind = i % 8
        word = names(rng) if kind % 2 else rng.choice(DOMAIN)
        if kind == 2:
            out.append((f"{word} {names(rng)}", {}))
        elif kind == 3:
            out.append((word[: max(3, len(word) - 3)], {}))  # typing a prefix
        elif kind == 4 and len(word) > 4:
            j = rng.randint(1, len(word) - 2)
            out.append((word[:j] + word[j + 1 :], {}))  # a typo
        elif kind == 5:
            out.append((word, {"source_system": [rng.choice(SYSTEMS)]}))
        elif kind == 6:
            out.append(("", {"classification": [rng.choice(CLASSES)], "certification": ["certified"]}))
        else:
            out.append((word, {}))
    return out


def write_source(path: Path, tables: int, rows: int = 20, seed: int = 3) -> None:
    """A SQLite source database with `tables` tables of 6-12 columns and `rows` rows each."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    for t in range(tables):
        cols = ["id INTEGER PRIMARY KEY", "email TEXT", "created_at TEXT"] + [
            f"{rng.choice(COLUMN_WORDS)}_{c} TEXT" for c in range(rng.randint(3, 9))
        ]
        conn.execute(f"CREATE TABLE t{t:05d}_{rng.choice(DOMAIN)} ({', '.join(cols)})")
        values = [
            [r, f"user{r}@example.com", f"2026-01-{1 + r % 28:02d}"]
            + [f"v{r}-{c}" for c in range(len(cols) - 3)]
            for r in range(rows)
        ]
        table = conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY rowid DESC LIMIT 1"
        ).fetchone()[0]
        conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(cols))})", values)
    conn.commit()
    conn.close()
