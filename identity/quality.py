"""Counts about identity (customers, records per system, merges) and match quality against known truth."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from core.errors import InvalidInput
from identity.models import CUS, LINK, RED, SR, XW
from identity.store import active_rules, select_keys


@dataclass
class Quality:
    """Pairwise precision and recall of the customers against the truth, over source records."""

    precision: float
    recall: float
    f1: float
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class IdentityReport:
    """Counts only (no personal data): safe for every role that may see reports."""

    customers: int
    source_records: int
    records_per_system: dict[str, int]
    duplicates_merged: int
    merged_ids: int
    links_per_rule: dict[str, int]
    rules_version: str
    crosswalk_rows: int
    jurisdictions: dict[str, int]
    quality: Quality | None = None


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def evaluate(session: Session, truth_rows: Iterable[Any]) -> Quality:
    """Pairwise scores: a pair of source records is predicted together when they share a customer.

    `truth_rows` are (source_system, source_key, person_id) tuples or dicts with those keys; truth
    rows whose record is not loaded are counted as `missing` and left out of the scores.
    """
    truth: dict[tuple[str, str], str] = {}
    for i, row in enumerate(truth_rows):
        if isinstance(row, dict):
            row = (row.get("source_system"), row.get("source_key"), row.get("person_id"))
        if len(row) != 3 or not all(row):
            raise InvalidInput(
                "each truth row has source_system, source_key and person_id", field=f"truth[{i}]"
            )
        truth[str(row[0]).strip().lower(), str(row[1]).strip()] = str(row[2])
    rows = select_keys(session, SR, (SR.c.source_system, SR.c.source_key, SR.c.customer_id), truth)
    predicted = {(r.source_system, r.source_key): r.customer_id for r in rows}
    cells: Counter = Counter()
    persons: Counter = Counter()
    customers: Counter = Counter()
    for key, person in truth.items():
        customer = predicted.get(key)
        if customer is None:
            continue
        cells[customer, person] += 1
        persons[person] += 1
        customers[customer] += 1
    together = sum(_pairs(n) for n in cells.values())
    predicted_pairs = sum(_pairs(n) for n in customers.values())
    true_pairs = sum(_pairs(n) for n in persons.values())
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    counts = {
        "truth_records": len(truth), "evaluated_records": sum(persons.values()),
        "missing_records": len(truth) - sum(persons.values()), "persons": len(persons),
        "customers": len(customers), "true_pairs": true_pairs, "predicted_pairs": predicted_pairs,
        "correct_pairs": together,
    }  # fmt: skip
    return Quality(precision=precision, recall=recall, f1=f1, counts=counts)


def read_truth_csv(path: str | Path) -> list[tuple[str, str, str]]:
    """Rows of a truth file with columns source_system, source_key, person_id."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"truth file {path} does not exist", field="truth")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        needed = {"source_system", "source_key", "person_id"}
        if not needed <= set(reader.fieldnames or []):
            raise InvalidInput(f"truth file needs columns {', '.join(sorted(needed))}", field="truth")
        return [(r["source_system"], r["source_key"], r["person_id"]) for r in reader]


def report(session: Session, *, truth_rows: Iterable[Any] | None = None) -> IdentityReport:
    """Customers, records per system, merges, links per rule and jurisdictions; quality when truth is given."""
    per_system = dict(
        session.execute(
            sa.select(SR.c.source_system, sa.func.count())
            .group_by(SR.c.source_system)
            .order_by(SR.c.source_system)
        ).all()
    )
    live = sa.and_(CUS.c.status == "active", CUS.c.record_count > 0)
    customers = session.execute(sa.select(sa.func.count()).select_from(CUS).where(live)).scalar_one()
    by_jurisdiction = session.execute(
        sa.select(CUS.c.jurisdiction, sa.func.count()).where(live).group_by(CUS.c.jurisdiction)
    ).all()
    jurisdictions = dict(sorted((j or "unknown", n) for j, n in by_jurisdiction))
    links = dict(
        session.execute(
            sa.select(LINK.c.rule, sa.func.count()).group_by(LINK.c.rule).order_by(LINK.c.rule)
        ).all()
    )
    records = sum(per_system.values())
    return IdentityReport(
        customers=customers,
        source_records=records,
        records_per_system=per_system,
        duplicates_merged=records - customers,
        merged_ids=session.execute(sa.select(sa.func.count()).select_from(RED)).scalar_one(),
        links_per_rule=links,
        rules_version=active_rules(session).version,
        crosswalk_rows=session.execute(sa.select(sa.func.count()).select_from(XW)).scalar_one(),
        jurisdictions=jurisdictions,
        quality=evaluate(session, truth_rows) if truth_rows is not None else None,
    )
