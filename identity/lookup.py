"""Finding customers from one search box (id, email, phone or source key), and a projection for reports."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from core.errors import InvalidInput, NotFound
from identity.customers import get_customer
from identity.models import CUS
from identity.resolve import resolve
from identity.store import select_in

KIND_LABELS = {
    "customer_id": "customer id",
    "email": "email",
    "phone": "phone",
    "source_key": "source key",
}
_SOURCE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:\S.*$")
_PHONE = re.compile(r"^[+(]?[\d\s().\-/]+$")
MAX_QUERY = 320


@dataclass(frozen=True)
class Candidate:
    """One customer a search found, with enough to tell several apart (a shared household phone)."""

    customer_id: str
    first_name: str | None
    last_name: str | None
    jurisdiction: str | None
    systems: tuple[str, ...]
    records: int


@dataclass(frozen=True)
class Lookup:
    """What a search was read as and the customers it found (several for a shared phone or email)."""

    query: str
    kind: str
    customers: list[Candidate]

    @property
    def kind_label(self) -> str:
        """The kind for people: `email`, `source key`..."""
        return KIND_LABELS[self.kind]


def recognise(query: str) -> str:
    """The kind of identifier a search box holds: email, source key (`system:key`), phone or customer id."""
    value = query.strip()
    if "@" in value:
        return "email"
    if _SOURCE_KEY.match(value):
        return "source_key"
    if _PHONE.match(value) and sum(ch.isdigit() for ch in value) >= 6:
        return "phone"
    return "customer_id"


def find_customers(session: Session, *, query: str, region: str = "US", limit: int = 50) -> Lookup:
    """Customers for a customer id, email, phone (national numbers read in `region`) or `system:key`.

    NotFound (field `q`) when nothing matches; InvalidInput for an empty or malformed value.
    """
    value = (query or "").strip()
    if not value:
        raise InvalidInput("type a customer id, email, phone number or source key (system:key)", field="q")
    if len(value) > MAX_QUERY:
        raise InvalidInput(f"at most {MAX_QUERY} characters", field="q")
    kind = recognise(value)
    try:
        ids = resolve(session, **{kind: value}, **({"region": region} if kind == "phone" else {}))
    except InvalidInput as exc:
        ids, problem = [], InvalidInput(f"not a valid {KIND_LABELS[kind]}: {exc.message}", field="q")
    else:
        problem = None
    if not ids and kind == "phone":
        # An upstream MDM may issue all-digit customer ids.
        ids = resolve(session, customer_id=value)
        kind, problem = ("customer_id", None) if ids else (kind, problem)
    if problem is not None:
        raise problem
    if not ids:
        raise NotFound(_not_found(kind, value), field="q")
    return Lookup(query=value, kind=kind, customers=[_candidate(session, cid) for cid in ids[:limit]])


def _not_found(kind: str, value: str) -> str:
    hints = {
        "customer_id": "check the id, or search by email, phone or source key (system:key)",
        "email": "check the spelling, or search by phone or source key",
        "phone": "national numbers are read as US numbers; add the country code (+44 ...)",
        "source_key": "write it as system:key, e.g. crm:C0001234",
    }
    return f"no customer with {KIND_LABELS[kind]} {value!r}; {hints[kind]}"


def _candidate(session: Session, customer_id: str) -> Candidate:
    customer = get_customer(session, customer_id=customer_id)
    systems = tuple(sorted({r.source_system for r in customer.source_records}))
    return Candidate(
        customer_id=customer.id,
        first_name=customer.first_name,
        last_name=customer.last_name,
        jurisdiction=customer.jurisdiction,
        systems=systems,
        records=len(customer.source_records),
    )


def active_customers_query() -> sa.Select:
    """Every active (surviving) customer as `customer_id, jurisdiction`: a subquery for aggregate reports."""
    return sa.select(CUS.c.id.label("customer_id"), CUS.c.jurisdiction.label("jurisdiction")).where(
        CUS.c.status == "active"
    )


def jurisdictions_of(session: Session, customer_ids: list[str]) -> dict[str, str | None]:
    """Jurisdiction per customer id in one bound query per chunk (bulk filters such as segment exports)."""
    rows = select_in(session, sa.select(CUS.c.id, CUS.c.jurisdiction), "id", customer_ids)
    return {r.id: r.jurisdiction for r in rows}
