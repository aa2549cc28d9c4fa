"""A small reference matcher over the generated sources, to check the identity cases are solvable."""

from __future__ import annotations

import csv
import sqlite3
from collections import Counter, defaultdict
from math import comb

import phonenumbers

# (system, table, key, name columns, email column, phone column)
SOURCES = (
    ("crm", "contacts", "contact_id", ("first_name", "last_name"), "email", "phone"),
    ("billing", "accounts", "account_id", ("full_name",), "billing_email", "phone"),
    ("support", "requesters", "requester_id", ("name",), "email", "phone"),
    ("marketing", "subscribers", "subscriber_id", ("first_name", "last_name"), "email", "phone"),
    ("product", "users", "user_id", ("full_name",), "email", "phone"),
)


def split_name(values: tuple) -> tuple[str, str]:
    """(first, last) in lower case from separate columns, "Jane Doe" or "DOE, JANE"."""
    if len(values) == 2:
        first, last = values
    else:
        full = (values[0] or "").strip()
        if "," in full:
            last, _, first = full.partition(",")
        else:
            first, _, last = full.partition(" ")
    return (first or "").strip().lower(), (last or "").strip().lower()


def e164(raw: str | None, country: str) -> str | None:
    if not raw:
        return None
    region = country if country in phonenumbers.SUPPORTED_REGIONS else "US"
    return phonenumbers.format_number(phonenumbers.parse(raw, region), phonenumbers.PhoneNumberFormat.E164)


def load_records(manifest) -> list[dict]:
    """Every identity source record with normalised email and phone."""
    out = []
    for system, table, key, names, email_col, phone_col in SOURCES:
        with sqlite3.connect(manifest.source_db(system)) as conn:
            cols = ", ".join((key, *names, email_col, phone_col, "country"))
            for row in conn.execute(f"SELECT {cols} FROM {table}"):
                k, *name_values, email, phone, country = row
                first, last = split_name(tuple(name_values))
                out.append(
                    {
                        "id": (system, k),
                        "first": first,
                        "last": last,
                        "email": email.strip().lower() if email else None,
                        "phone": e164(phone, country),
                        "country": country,
                    }
                )
    return out


def truth(manifest) -> dict[tuple[str, str], str]:
    with manifest.truth_path.open() as fh:
        return {(r["source_system"], r["source_key"]): r["person_id"] for r in csv.DictReader(fh)}


def _compatible(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) == 1 and long_.startswith(short)


def cluster(records: list[dict], *, naive_phone: bool = False) -> dict:
    """Union-find: same email; same phone + last name + compatible first name (or same phone only)."""
    parent = {r["id"]: r["id"] for r in records}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        parent[find(a)] = find(b)

    by_email, by_phone = defaultdict(list), defaultdict(list)
    for r in records:
        if r["email"]:
            by_email[r["email"]].append(r)
        if r["phone"]:
            by_phone[r["phone"] if naive_phone else (r["phone"], r["last"])].append(r)
    for group in by_email.values():
        for r in group[1:]:
            union(group[0]["id"], r["id"])
    for group in by_phone.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if naive_phone or _compatible(a["first"], b["first"]):
                    union(a["id"], b["id"])
    return {r["id"]: find(r["id"]) for r in records}


def pairwise(predicted: dict, actual: dict) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering against the truth."""
    both = Counter((predicted[k], actual[k]) for k in predicted)
    pred = Counter(predicted.values())
    true = Counter(actual[k] for k in predicted)
    tp = sum(comb(n, 2) for n in both.values())
    return tp / max(1, sum(comb(n, 2) for n in pred.values())), tp / max(
        1, sum(comb(n, 2) for n in true.values())
    )
