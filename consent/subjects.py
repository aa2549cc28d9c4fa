"""Who a fact is about, through the identity package's interface only (consent keeps no customer model)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session

from core.errors import NotFound
from identity import service as identity

RESOLVE_KIND = {"customer": "customer_id", "source_key": "source_key", "email": "email", "phone": "phone"}


@dataclass(frozen=True)
class Subject:
    """A customer as consent sees it: survivor id, every id and source key it answers to, contact points."""

    customer_id: str
    jurisdiction: str | None
    contact_points: dict[str, tuple[str, ...]]
    aliases: frozenset[str]
    source_keys: frozenset[str]

    def owns(self, kind: str | None, value: str | None) -> bool:
        """Whether a fact's subject (`customer` id or `source_key`) is this customer."""
        if kind == "customer":
            return value in self.aliases
        if kind == "source_key":
            return value in self.source_keys
        return False


def load_subjects(session: Session, customer_ids: Iterable[str]) -> dict[str, Subject]:
    """Subjects by survivor id for the given ids (merged ids resolve to their survivor; unknown ids are left out)."""
    out: dict[str, Subject] = {}
    for requested in dict.fromkeys(customer_ids):
        if requested in out:
            continue
        try:
            customer = identity.get_customer(session, customer_id=requested)
        except NotFound:
            continue
        if customer.id in out:
            continue
        points: dict[str, list[str]] = defaultdict(list)
        for point in customer.contact_points:
            points[point.kind].append(point.value)
        out[customer.id] = Subject(
            customer_id=customer.id,
            jurisdiction=customer.jurisdiction,
            contact_points={k: tuple(v) for k, v in points.items()},
            aliases=frozenset({customer.id, *customer.merged_ids}),
            source_keys=frozenset(f"{r.source_system}:{r.source_key}" for r in customer.source_records),
        )
    return out


def resolve(session: Session, kind: str, values: Iterable[str]) -> dict[str, list[str]]:
    """Survivor customer ids per value for one kind (customer, source_key, email, phone); unknown -> []."""
    values = list(dict.fromkeys(values))
    if not values:
        return {}
    found = identity.resolve_many(session, kind=RESOLVE_KIND[kind], values=values)
    return {v: list(found.get(v, [])) for v in values}


def customers_for(session: Session, pairs: Iterable[tuple[str, str]]) -> set[str]:
    """Every customer any of the (kind, value) pairs names: subjects, and everyone sharing a contact point."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, value in pairs:
        by_kind[kind].append(value)
    found: set[str] = set()
    for kind, values in by_kind.items():
        if kind == "postal":
            for value in dict.fromkeys(values):
                found.update(identity.customers_sharing(session, kind="postal", value=value))
            continue
        for ids in resolve(session, kind, values).values():
            found.update(ids)
    return found
