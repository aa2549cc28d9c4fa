"""A customer's profile from its source records: name, country, region and jurisdiction with its basis."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from core import clock
from identity.models import CUS, SR
from identity.normalise import derive_jurisdiction
from identity.store import select_in

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def profile_of(records: Sequence[Any]) -> dict[str, Any]:
    """The profile fields for a customer from its records (most recently observed first wins).

    Name: the newest record with a last name. Jurisdiction: an explicit one on any record wins (the
    newest); else derived from the newest record with a country (country-region for US and CA).
    """
    ordered = sorted(records, key=lambda r: (r.observed_at or _EPOCH, r.updated_at, r.id), reverse=True)
    named = next((r for r in ordered if r.last_name), None) or next(
        (r for r in ordered if r.first_name), None
    )
    located = next((r for r in ordered if r.country), None)
    # The newest record naming the country may lack the state another record of that country gives.
    regional = next((r for r in ordered if located and r.country == located.country and r.region), None)
    explicit = next((r for r in ordered if r.jurisdiction), None)
    profile: dict[str, Any] = {
        "first_name": named.first_name if named else None,
        "last_name": named.last_name if named else None,
        "country": located.country if located else None,
        "region": regional.region if regional else None,
        "record_count": len(records),
    }
    if explicit is not None:
        basis, source, jurisdiction = "explicit", explicit, explicit.jurisdiction
    elif located is not None:
        jurisdiction, basis = derive_jurisdiction(located.country, profile["region"])
        source = regional if basis == "country_region" else located
    else:
        jurisdiction = basis = source = None
    profile["jurisdiction"] = jurisdiction
    profile["jurisdiction_basis"] = basis
    profile["jurisdiction_from"] = (
        f"{source.source_system}:{source.source_key}" if source is not None else None
    )
    return profile


def refresh_profiles(session: Session, customers: set[str], emptied: set[str] = frozenset()) -> None:
    """Recompute the stored profile of `customers` from their current records."""
    customers = set(customers) - set(emptied)
    if not customers:
        return
    columns = (
        SR.c.id, SR.c.customer_id, SR.c.source_system, SR.c.source_key, SR.c.first_name, SR.c.last_name,
        SR.c.country, SR.c.region, SR.c.jurisdiction, SR.c.observed_at, SR.c.updated_at,
    )  # fmt: skip
    by_customer: dict[str, list[Any]] = defaultdict(list)
    for row in select_in(session, sa.select(*columns), "customer_id", customers):
        by_customer[row.customer_id].append(row)
    stored = {r.id: r for r in select_in(session, sa.select(CUS), "id", customers)}
    now = clock.now()
    updates = []
    for cid in sorted(customers):
        profile = profile_of(by_customer.get(cid, []))
        current = stored.get(cid)
        if current is not None and all(getattr(current, k) == v for k, v in profile.items()):
            continue  # unchanged: a rebuild over stable data writes nothing here
        updates.append({"cid": cid, **{f"p_{k}": v for k, v in {**profile, "updated_at": now}.items()}})
    if not updates:
        return
    # Bound names differ from the column names: SQLAlchemy reserves those for its own SET values.
    session.execute(
        sa.update(CUS)
        .where(CUS.c.id == sa.bindparam("cid"))
        .values({key[2:]: sa.bindparam(key) for key in updates[0] if key != "cid"}),
        updates,
    )
