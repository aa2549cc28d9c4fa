"""Reading customers: the 360 view, contact points, who shares a contact point, and why records matched."""

from __future__ import annotations

from collections import defaultdict, deque

import sqlalchemy as sa
from sqlmodel import Session

from core.errors import InvalidInput, NotFound
from identity.domain import ContactPoint, Customer, Explanation, Link, SourceRecordSummary
from identity.models import CP, CUS, LINK, RED, SR
from identity.normalise import KINDS, normalise_contact_point
from identity.resolve import lookup_contacts, resolve_many, split_source_key, survivor_of
from identity.store import select_in


def _survivor(session: Session, customer_id: str) -> str:
    survivor = survivor_of(session, customer_id) if customer_id else None
    if survivor is None:
        raise NotFound(
            f"no customer {customer_id!r}; look it up by email, phone or source key", field="customer_id"
        )
    return survivor


def get_customer(session: Session, *, customer_id: str) -> Customer:
    """The customer 360 for any id ever issued (merged ids give their survivor); NotFound if unknown."""
    survivor = _survivor(session, customer_id)
    row = session.execute(sa.select(CUS).where(CUS.c.id == survivor)).one()
    merged = session.execute(sa.select(RED.c.from_id).where(RED.c.to_id == survivor).order_by(RED.c.from_id))
    records = session.execute(
        sa.select(SR).where(SR.c.customer_id == survivor).order_by(SR.c.source_system, SR.c.source_key)
    ).all()
    return Customer(
        id=survivor,
        requested_id=customer_id,
        merged_ids=[r[0] for r in merged],
        first_name=row.first_name,
        last_name=row.last_name,
        jurisdiction=row.jurisdiction,
        country=row.country,
        region=row.region,
        jurisdiction_basis=row.jurisdiction_basis,
        jurisdiction_from=row.jurisdiction_from,
        origin=row.origin,
        created_at=row.created_at,
        contact_points=_contact_points(session, survivor, None),
        source_records=[_summary(r) for r in records],
        links=_links(
            session, [r.id for r in records], {r.id: f"{r.source_system}:{r.source_key}" for r in records}
        ),
    )


def _summary(r) -> SourceRecordSummary:
    return SourceRecordSummary(
        source_system=r.source_system, source_key=r.source_key, observed_at=r.observed_at, version=r.version,
        first_name=r.first_name, last_name=r.last_name, street=r.street, city=r.city, postal_code=r.postal_code,
        region=r.region, country=r.country, jurisdiction=r.jurisdiction, pinned=r.pinned_to is not None,
    )  # fmt: skip


def _contact_points(session: Session, customer_id: str, kind: str | None) -> list[ContactPoint]:
    query = (
        sa.select(CP.c.kind, CP.c.value, CP.c.source, CP.c.first_seen_at, SR.c.source_system, SR.c.source_key)
        .select_from(CP.outerjoin(SR, SR.c.id == CP.c.record_id))
        .where(CP.c.customer_id == customer_id)
    )
    if kind is not None:
        query = query.where(CP.c.kind == kind)
    grouped: dict[tuple[str, str], dict] = {}
    for row in session.execute(query):
        entry = grouped.setdefault((row.kind, row.value), {"sources": set(), "first": row.first_seen_at})
        entry["sources"].add(f"{row.source_system}:{row.source_key}" if row.source_key else row.source)
        entry["first"] = min(entry["first"], row.first_seen_at)
    order = {k: i for i, k in enumerate(KINDS)}
    return [
        ContactPoint(kind=k, value=v, sources=sorted(e["sources"]), first_seen_at=e["first"])
        for (k, v), e in sorted(grouped.items(), key=lambda item: (order[item[0][0]], item[0][1]))
    ]


def contact_points(session: Session, *, customer_id: str, kind: str) -> list[ContactPoint]:
    """A customer's contact points of one kind (email, phone or postal); NotFound if the id is unknown."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    return _contact_points(session, _survivor(session, customer_id), kind)


def customers_sharing(session: Session, *, kind: str, value: str, region: str = "US") -> list[str]:
    """Every customer holding this contact point (after normalisation)."""
    normalised = normalise_contact_point(kind, value, region)
    return sorted(lookup_contacts(session, kind, {normalised}).get(normalised, ()))


def _links(session: Session, record_ids: list[int], names: dict[int, str]) -> list[Link]:
    rows = select_in(session, sa.select(LINK), "record_a", record_ids)
    links = [
        Link(a=names.get(r.record_a, str(r.record_a)), b=names.get(r.record_b, str(r.record_b)), rule=r.rule,
             kind=r.kind, value=r.value, rules_version=r.rules_version)
        for r in rows if r.record_b in names
    ]  # fmt: skip
    return sorted(links, key=lambda link: (link.a, link.b, link.rule))


def explain(session: Session, *, a: str, b: str) -> Explanation:
    """Why two source records (`system:key`) are one customer: the chain of match links between them."""
    owners = resolve_many(session, kind="source_key", values=[a, b])
    for name, value in (("a", a), ("b", b)):
        if not owners.get(value):
            raise NotFound(f"no source record {value!r} (write it as system:key)", field=name)
    same = owners[a] == owners[b]
    customer = owners[a][0] if same else None
    if not same or a == b:
        return Explanation(a=a, b=b, same_customer=same, customer_id=customer, path=[])
    records = session.execute(
        sa.select(SR.c.id, SR.c.source_system, SR.c.source_key).where(SR.c.customer_id == customer)
    ).all()
    names = {r.id: f"{r.source_system}:{r.source_key}" for r in records}
    ids = {name: rid for rid, name in names.items()}
    start, goal = ids.get(_canonical(a)), ids.get(_canonical(b))
    return Explanation(a=a, b=b, same_customer=True, customer_id=customer,
                       path=_path(_links(session, list(names), names), names.get(start), names.get(goal)))  # fmt: skip


def _canonical(value: str) -> str:
    pair = split_source_key(value)
    return f"{pair[0]}:{pair[1]}" if pair else value


def _path(links: list[Link], start: str | None, goal: str | None) -> list[Link]:
    """Shortest chain of links from start to goal (breadth first); [] if they are pinned together instead."""
    edges: dict[str, list[tuple[str, Link]]] = defaultdict(list)
    for link in links:
        edges[link.a].append((link.b, link))
        edges[link.b].append((link.a, link))
    previous: dict[str, tuple[str, Link] | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        for nxt, link in edges[node]:
            if nxt not in previous:
                previous[nxt] = (node, link)
                queue.append(nxt)
    if goal not in previous:
        return []
    path, node = [], goal
    while previous[node] is not None:
        node, link = previous[node]
        path.append(link)
    return list(reversed(path))
