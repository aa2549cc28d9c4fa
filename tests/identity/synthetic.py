"""A small, realistic multi-system company for identity tests: households, two-email people, format noise.

Deterministic for a seed. Writes the five source databases in the sample schema's customer tables
(crm.contacts, billing.accounts, support.requesters, marketing.subscribers, product.users) and a truth
list `(source_system, source_key, person_id)`.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
         "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
         "Anna", "Lukas", "Sophie", "Jonas", "Emma", "Léa", "Hugo", "Chloé", "Oliver", "Amelia", "Noah",
         "Mia", "Liam", "Olivia", "Ethan", "Ava", "Lucas", "Isla", "Mateo", "Lucía"]  # fmt: skip
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Müller", "Schmidt",
        "Schneider", "Fischer", "Martin", "Bernard", "Dubois", "Thomas", "Taylor", "Wilson", "Evans", "Walsh",
        "O'Brien", "van der Berg", "de Vries", "Rossi", "Russo", "García", "Fernández", "Tremblay", "Roy",
        "Gagnon", "Murphy", "Kelly", "Byrne", "Ryan", "Nguyen", "Kim", "Patel", "Singh", "Cohen", "Novak"]  # fmt: skip
PLACES = [("US", "CA", 415), ("US", "NY", 212), ("US", "TX", 512), ("US", "CO", 303), ("CA", "ON", 416),
          ("CA", "QC", 514), ("GB", None, 20), ("DE", None, 30), ("FR", None, 1), ("IE", None, 1),
          ("NL", None, 20), ("ES", None, 91), ("IT", None, 2)]  # fmt: skip
DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "web.de", "orange.fr", "icloud.com"]
WORK = ["acme.com", "initech.com", "globex.com", "umbrella.co.uk", "hooli.io"]
SYSTEMS = {"crm": 0.75, "billing": 0.5, "support": 0.3, "marketing": 0.6, "product": 0.5}


@dataclass
class Person:
    pid: str
    first: str
    last: str
    country: str
    region: str | None
    phone: str  # E.164
    email: str
    work_email: str | None = None
    street: str = ""
    city: str = ""
    postal_code: str = ""
    household: str | None = None


@dataclass
class Company:
    people: list[Person]
    rows: dict[str, list[dict]] = field(default_factory=dict)
    truth: list[tuple[str, str, str]] = field(default_factory=list)


def _phone(rng: random.Random, country: str, area: int) -> str:
    if country in ("US", "CA"):
        return f"+1{area}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
    codes = {"GB": "44", "DE": "49", "FR": "33", "IE": "353", "NL": "31", "ES": "34", "IT": "39"}
    if country == "GB":
        return f"+44{area}{rng.randint(7000, 8999)}{rng.randint(0, 9999):04d}"
    if country == "FR":
        return f"+33{rng.choice('67')}{rng.randint(10000000, 99999999)}"
    if country == "IE":
        return f"+3538{rng.choice('3567')}{rng.randint(1000000, 9999999)}"
    if country == "IT":
        return f"+393{rng.randint(10, 49)}{rng.randint(1000000, 9999999)}"
    if country == "ES":
        return f"+346{rng.randint(10000000, 99999999)}"
    if country == "NL":
        return f"+316{rng.randint(10000000, 99999999)}"
    return f"+{codes[country]}1{rng.randint(50, 79)}{rng.randint(1000000, 9999999)}"


def _format_phone(rng: random.Random, e164: str, country: str) -> str:
    """The same number as a person or a clerk might type it."""
    if e164.startswith("+1"):
        n = e164[2:]
        return rng.choice(
            [
                e164,
                f"+1 {n[:3]}-{n[3:6]}-{n[6:]}",
                f"({n[:3]}) {n[3:6]}-{n[6:]}",
                n,
                f"{n[:3]}.{n[3:6]}.{n[6:]}",
            ]
        )
    if country == "GB" and e164.startswith("+44"):
        n = e164[3:]
        return rng.choice([e164, f"+44 {n[:2]} {n[2:6]} {n[6:]}", f"0{n[:2]} {n[2:6]} {n[6:]}"])
    code_len = 3 if e164[1:4] in ("353",) else 2
    cc, n = e164[1 : 1 + code_len], e164[1 + code_len :]
    national = [f"0{n}"] if country in ("DE", "FR", "IE", "NL") else []  # Spain and Italy dial no trunk 0
    return rng.choice([e164, f"+{cc} {n[:3]} {n[3:]}", f"00{cc}{n}", *national])


def _format_email(rng: random.Random, email: str) -> str:
    return rng.choice([email, email, email.upper(), f"  {email} ", email.capitalize()])


def generate(customers: int = 300, seed: int = 7) -> Company:
    """People, households and their records in five systems, with the truth of who is who."""
    rng = random.Random(seed)
    people: list[Person] = []
    while len(people) < customers:
        country, region, area = rng.choice(PLACES)
        last = rng.choice(LAST)
        street = f"{rng.randint(1, 400)} {rng.choice(['Main', 'Oak', 'High', 'Park', 'Church', 'Mill'])} {rng.choice(['Street', 'Road', 'Avenue'])}"
        city = rng.choice(["Springfield", "Riverton", "Lakeside", "Hillview", "Oakdale"])
        postal = f"{rng.randint(10000, 99999)}"
        size = 1 if rng.random() > 0.12 else rng.choice([2, 3])
        landline = _phone(rng, country, area)
        firsts = rng.sample(FIRST, size)
        household = f"H{len(people)}" if size > 1 else None
        for first in firsts:
            pid = f"P{len(people):06d}"
            n = rng.randint(1, 999)
            email = f"{first.lower()}.{last.lower().replace(' ', '').replace(chr(39), '')}{n}@{rng.choice(DOMAINS)}"
            work = (
                f"{first[0].lower()}{last.lower().replace(' ', '').replace(chr(39), '')}{n}@{rng.choice(WORK)}"
                if rng.random() < 0.25
                else None
            )
            phone = landline if household else _phone(rng, country, area)
            people.append(
                Person(pid, first, last, country, region, phone, email, work, street, city, postal, household)
            )
    company = Company(people=people, rows={s: [] for s in SYSTEMS})
    for person in people:
        systems = [s for s, p in SYSTEMS.items() if rng.random() < p] or ["crm"]
        for system in systems:
            _emit(rng, company, person, system)
    return company


def _emit(rng: random.Random, company: Company, p: Person, system: str) -> None:
    key = f"{system[0].upper()}{len(company.rows[system]) + 1:07d}"
    # Work email in billing and product for people who have one: they link by phone and name only.
    email = p.work_email if p.work_email and system in ("billing", "product") else p.email
    phone = _format_phone(rng, p.phone, p.country)
    full = f"{p.first} {p.last}" if rng.random() > 0.1 else f"{p.last}, {p.first}"
    row: dict = {"key": key, "email": _format_email(rng, email), "phone": phone, "country": p.country,
                 "region": p.region or "", "first_name": p.first, "last_name": p.last, "full_name": full,
                 "street": p.street, "city": p.city, "postal_code": p.postal_code}  # fmt: skip
    if system in ("support", "product") and rng.random() < 0.15:
        row["phone"] = ""  # not every system asks for a phone
    company.rows[system].append(row)
    company.truth.append((system, key, p.pid))


TABLES = {
    "crm": ("contacts", "contact_id", ["first_name", "last_name", "email", "phone", "street", "city", "postal_code", "region", "country", "created_at", "updated_at"]),
    "billing": ("accounts", "account_id", ["full_name", "billing_email", "phone", "street", "city", "postal_code", "region", "country", "opened_at"]),
    "support": ("requesters", "requester_id", ["name", "email", "phone", "country", "region", "created_at"]),
    "marketing": ("subscribers", "subscriber_id", ["email", "first_name", "last_name", "phone", "country", "region", "created_at"]),
    "product": ("users", "user_id", ["email", "phone", "full_name", "country", "region", "signup_at"]),
}  # fmt: skip
_ALIASES = {"billing_email": "email", "name": "full_name"}


def write_sources(company: Company, folder: Path) -> dict[str, str]:
    """The five source databases under `folder/sources/`, and `truth.csv`; returns system -> SQLAlchemy URL."""
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    urls = {}
    for system, (table, key, columns) in TABLES.items():
        path = folder / "sources" / f"{system}.db"
        path.unlink(missing_ok=True)
        with sqlite3.connect(path) as conn:
            conn.execute(f"CREATE TABLE {table} ({key} TEXT PRIMARY KEY, {', '.join(columns)})")
            rows = [
                [r["key"]] + [r.get(_ALIASES.get(c, c), "2024-03-01T10:00:00Z") for c in columns]
                for r in company.rows[system]
            ]
            conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * (len(columns) + 1))})", rows)
        conn.close()
        urls[system] = f"sqlite:///{path}"
    lines = ["source_system,source_key,person_id"] + [",".join(t) for t in company.truth]
    (folder / "truth.csv").write_text("\n".join(lines) + "\n")
    return urls


def source_records(company: Company) -> list:
    """Every generated row as a SourceRecordIn, through the packaged table mapping."""
    from identity.sources import load_mapping, to_record

    out = []
    for system, (_table, key, columns) in TABLES.items():
        mapping = load_mapping(system)
        for r in company.rows[system]:
            row = {key: r["key"], **{c: r.get(_ALIASES.get(c, c), "2024-03-01T10:00:00Z") for c in columns}}
            out.append(to_record(system, mapping, row))
    return out
