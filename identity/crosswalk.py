"""External crosswalk (MDM output): source records assigned to given customer ids instead of matched."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from core import audit, clock
from core.audit import Actor
from core.errors import InvalidInput
from identity.attach import check_customer_id, create_customers
from identity.cluster import recluster
from identity.domain import CrosswalkResult
from identity.models import CP, CUS, SR, XW
from identity.records import check_key, check_system
from identity.store import active_rules, lock_state, select_in, select_keys

COLUMNS = ("source_system", "source_key", "customer_id")


def parse_crosswalk_csv(text: str) -> list[tuple[str, str, str]]:
    """Rows of a crosswalk CSV with a header `source_system,source_key,customer_id` (extra columns ignored)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"the crosswalk CSV needs columns {', '.join(COLUMNS)}; missing {', '.join(missing)}",
                           field="line 1")  # fmt: skip
    reader.fieldnames = header
    rows = []
    for line, row in enumerate(reader, start=2):
        if None in row or any(row.get(c) is None for c in COLUMNS):
            raise InvalidInput("row has a different number of columns than the header", field=f"line {line}")
        rows.append(tuple(row[c] for c in COLUMNS))
    return rows


def _validate(rows: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], str]:
    wanted: dict[tuple[str, str], str] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, (tuple, list)) or len(row) != 3:
            raise InvalidInput("each row is (source_system, source_key, customer_id)", field=f"rows[{i}]")
        key = (check_system(row[0], f"rows[{i}].source_system"), check_key(row[1], f"rows[{i}].source_key"))
        customer = check_customer_id(row[2], f"rows[{i}].customer_id")
        if wanted.get(key, customer) != customer:
            raise InvalidInput(
                f"{key[0]}:{key[1]} is given two different customer ids", field=f"rows[{i}].customer_id"
            )
        wanted[key] = customer
    return wanted


def import_crosswalk(
    session: Session, *, rows: Iterable[tuple[str, str, str]], actor: Actor, commit: bool = True
) -> CrosswalkResult:
    """Assign source records to the given customer ids (all-or-nothing); later matching leaves them there.

    Rows for records not loaded yet are kept and applied when the record arrives. A record taken out
    of a matched customer leaves the rest of that customer to matching; an id left with no records
    redirects to the customer that took them.
    """
    wanted = _validate(rows)
    result = CrosswalkResult(rows=len(wanted))
    lock_state(session)
    stored = _stored(session, list(wanted))
    changed = {key: cid for key, cid in wanted.items() if stored.get(key) != cid}
    result.unchanged = len(wanted) - len(changed)
    new_ids = sorted(set(changed.values()) - _known_ids(session, set(changed.values())))
    create_customers(session, new_ids, "crosswalk")
    result.customers_created = len(new_ids)
    _store(session, changed, stored, actor)
    records = _records(session, list(changed))
    result.assigned = len(records)
    result.pending = len(changed) - len(records)
    if records:
        pins = [{"rid": rid, "pin": changed[key]} for key, rid in records.items()]
        session.execute(
            sa.update(SR).where(SR.c.id == sa.bindparam("rid")).values(pinned_to=sa.bindparam("pin")), pins
        )
        values = {
            (r.kind, r.value)
            for r in select_in(session, sa.select(CP.c.kind, CP.c.value), "record_id", records.values())
        }
        stats = recluster(
            session,
            rules=active_rules(session),
            values=values,
            records=set(records.values()),
            cause="crosswalk",
        )
        result.merged = stats.merged
    audit.record(
        session, actor, "identity.crosswalk.import", "crosswalk", f"{len(wanted)} rows", result.__dict__
    )
    if commit:
        session.commit()
    return result


def _stored(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    rows = select_keys(session, XW, (XW.c.source_system, XW.c.source_key, XW.c.customer_id), keys)
    return {(r.source_system, r.source_key): r.customer_id for r in rows}


def _known_ids(session: Session, ids: set[str]) -> set[str]:
    return {r.id for r in select_in(session, sa.select(CUS.c.id), "id", ids)}


def _store(session: Session, changed: dict, stored: dict, actor: Actor) -> None:
    now = clock.now()
    updates = [{"s": k[0], "k": k[1], "c": cid} for k, cid in changed.items() if k in stored]
    inserts = [{"source_system": k[0], "source_key": k[1], "customer_id": cid, "imported_at": now,
                "imported_by": actor.label} for k, cid in changed.items() if k not in stored]  # fmt: skip
    if updates:
        session.execute(
            sa.update(XW)
            .where(XW.c.source_system == sa.bindparam("s"), XW.c.source_key == sa.bindparam("k"))
            .values(customer_id=sa.bindparam("c"), imported_at=now, imported_by=actor.label),
            updates,
        )
    if inserts:
        session.execute(sa.insert(XW), inserts)


def _records(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    rows = select_keys(session, SR, (SR.c.id, SR.c.source_system, SR.c.source_key), keys)
    return {(r.source_system, r.source_key): r.id for r in rows}
