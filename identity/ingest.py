"""Upserting source records: versions, current rows, contact points, then incremental match-and-merge."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from core import audit, clock
from core.audit import Actor
from core.errors import InvalidInput
from identity.cluster import recluster
from identity.domain import SourceRecordIn, UpsertResult
from identity.models import CP, SR, VER, XW
from identity.records import Prepared, prepare_batch
from identity.store import active_rules, execute_in, lock_state, select_in, select_keys


def upsert_source_records(
    session: Session,
    *,
    records: Sequence[SourceRecordIn],
    actor: Actor,
    commit: bool = True,
    on_invalid: str = "raise",
) -> UpsertResult:
    """Store new and changed records (idempotent) and match-and-merge the records they touch.

    `on_invalid="raise"` (default) rejects the whole batch on the first bad value, naming
    `records[i].field`; `"drop"` (bulk pulls) leaves bad values or records out and lists them.
    """
    if on_invalid not in ("raise", "drop"):
        raise InvalidInput("on_invalid is raise or drop", field="on_invalid")
    prepared, rejected = prepare_batch(records, lenient=on_invalid == "drop")
    result = UpsertResult(rejected=rejected)
    lock_state(session)
    rules = active_rules(session)
    grouped: dict[tuple[str, str], list[Prepared]] = defaultdict(list)
    for item in prepared:
        grouped[item.key].append(item)
    current = _current_rows(session, list(grouped))
    plan = _plan(session, grouped, current, result)
    touched_values, touched_records = _write(session, plan, current, actor)
    if touched_records:
        stats = recluster(session, rules=rules, values=touched_values, records=touched_records)
        result.merged, result.new_customers, result.split = stats.merged, stats.new_customers, stats.split
    for row in _current_rows(session, list(grouped)).values():
        result.keys[row.source_system, row.source_key] = row.customer_id
    audit.record(
        session, actor, "identity.upsert", "source_records", f"{len(prepared)} records",
        {"inserted": result.inserted, "updated": result.updated, "unchanged": result.unchanged,
         "stale": result.stale, "merged": result.merged, "rejected": len(result.rejected),
         "systems": sorted({k[0] for k in grouped})},
    )  # fmt: skip
    if commit:
        session.commit()
    return result


def _current_rows(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    columns = (SR.c.id, SR.c.source_system, SR.c.source_key, SR.c.version, SR.c.last_version, SR.c.content_hash,
               SR.c.observed_at, SR.c.customer_id)  # fmt: skip
    return {(r.source_system, r.source_key): r for r in select_keys(session, SR, columns, keys)}


def _plan(session: Session, grouped, current, result: UpsertResult) -> dict[tuple[str, str], dict[str, Any]]:
    """Per key: the versions to append (with whether each is applied) and the final current content."""
    known = _stored_hashes(session, grouped, current)
    plan: dict[tuple[str, str], dict[str, Any]] = {}
    for key, items in grouped.items():
        row = current.get(key)
        content_hash = row.content_hash if row else None
        observed = row.observed_at if row else None
        seen = known.get(row.id, set()) if row else set()
        versions: list[tuple[Prepared, bool]] = []
        base = row.last_version if row else 0
        final, final_version = None, base
        for item in items:
            if item.content_hash == content_hash or (item.content_hash in seen and _is_stale(item, observed)):
                result.unchanged += 1
                continue
            applied = not _is_stale(item, observed)
            versions.append((item, applied))
            seen.add(item.content_hash)
            if applied:
                final, content_hash, observed = item, item.content_hash, item.observed_at or observed
                final_version = base + len(versions)
            else:
                result.stale += 1
        if not versions:
            continue
        if row is None:
            result.inserted += 1
        elif final is not None:
            result.updated += 1
        plan[key] = {"versions": versions, "final": final, "version": final_version, "observed": observed,
                     "last_version": base + len(versions)}  # fmt: skip
    return plan


def _is_stale(item: Prepared, observed) -> bool:
    # A record observed before the current one arrived late: kept in history, not applied.
    return observed is not None and item.observed_at is not None and item.observed_at < observed


def _stored_hashes(session: Session, grouped, current) -> dict[int, set[str]]:
    # Only records with a late observation need their history: was that content seen before?
    stale_ids = [
        row.id
        for key, row in current.items()
        if any(_is_stale(i, row.observed_at) for i in grouped.get(key, []))
    ]
    known: dict[int, set[str]] = defaultdict(set)
    for rid, h in select_in(session, sa.select(VER.c.record_id, VER.c.content_hash), "record_id", stale_ids):
        known[rid].add(h)
    return known


def _write(session: Session, plan, current, actor: Actor) -> tuple[set[tuple[str, str]], set[int]]:
    now = clock.now()
    pins = _crosswalk_pins(session, [k for k in plan if k not in current])
    new_rows, updates, late = [], [], []
    for key, step in plan.items():
        final = step["final"]
        if final is None:  # only late observations: they go to the history, the current row stays
            late.append({"rid": current[key].id, "last": step["last_version"]})
            continue
        fields = {**final.fields, "observed_at": step["observed"], "content_hash": final.content_hash,
                  "version": step["version"], "last_version": step["last_version"]}  # fmt: skip
        if key in current:
            updates.append({"rid": current[key].id, **fields})
        else:
            new_rows.append({"source_system": key[0], "source_key": key[1], "pinned_to": pins.get(key),
                             "created_at": now, "updated_at": now, **fields})  # fmt: skip
    ids = {key: row.id for key, row in current.items()}
    if new_rows:
        inserted = session.execute(
            sa.insert(SR).returning(SR.c.id, SR.c.source_system, SR.c.source_key), new_rows
        )
        ids.update({(r.source_system, r.source_key): r.id for r in inserted})
    if updates:
        session.execute(
            sa.update(SR).where(SR.c.id == sa.bindparam("rid")).values(
                {k: sa.bindparam(f"p_{k}") for k in updates[0] if k != "rid"} | {"updated_at": now}
            ),
            [{"rid": u["rid"], **{f"p_{k}": v for k, v in u.items() if k != "rid"}} for u in updates],
        )  # fmt: skip
    if late:
        session.execute(
            sa.update(SR).where(SR.c.id == sa.bindparam("rid")).values(last_version=sa.bindparam("last")),
            late,
        )
    _append_versions(session, plan, current, ids, actor, now)
    owners = {row.id: row.customer_id for row in current.values()}
    return _sync_contacts(session, plan, ids, owners, now)


def _crosswalk_pins(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    rows = select_keys(session, XW, (XW.c.source_system, XW.c.source_key, XW.c.customer_id), keys)
    return {(r.source_system, r.source_key): r.customer_id for r in rows}


def _append_versions(session: Session, plan, current, ids, actor: Actor, now) -> None:
    rows = []
    for key, step in plan.items():
        base = current[key].last_version if key in current else 0
        for offset, (item, applied) in enumerate(step["versions"], start=1):
            rows.append({"record_id": ids[key], "version": base + offset, "content_hash": item.content_hash,
                         "payload": item.payload, "applied": applied, "observed_at": item.observed_at,
                         "recorded_at": now, "recorded_by": actor.label})  # fmt: skip
    if rows:
        session.execute(sa.insert(VER), rows)


def _sync_contacts(session: Session, plan, ids, owners, now) -> tuple[set[tuple[str, str]], set[int]]:
    """Make each changed record's own contact points match its new content; return touched values."""
    changed = {ids[key]: step["final"] for key, step in plan.items() if step["final"] is not None}
    old: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    query = sa.select(CP.c.id, CP.c.record_id, CP.c.kind, CP.c.value).where(CP.c.origin == "record")
    for row in select_in(session, query, "record_id", list(changed)):
        old[row.record_id][row.kind, row.value] = row.id
    touched: set[tuple[str, str]] = set()
    removed, added = [], []
    for rid, final in changed.items():
        source = final.source_system
        new = {(kind, value): raw for kind, value, raw in final.contacts}
        touched.update(old.get(rid, {}))
        touched.update(new)
        removed.extend(cp_id for kv, cp_id in old.get(rid, {}).items() if kv not in new)
        added.extend(
            {"kind": k, "value": v, "record_id": rid, "customer_id": owners.get(rid), "source": source, "origin": "record", "raw": raw,
             "first_seen_at": now}
            for (k, v), raw in new.items() if (k, v) not in old.get(rid, {})
        )  # fmt: skip
    if removed:
        execute_in(session, sa.delete(CP), "id", removed)
    if added:
        session.execute(sa.insert(CP), added)
    return touched, set(changed)
