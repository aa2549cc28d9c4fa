"""Match-and-merge over stored records: refresh links for touched values, re-form components, keep ids."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from core import clock
from core.ids import new_id
from identity.matching import Member, UnionFind, assign_ids, bucket_links
from identity.models import CP, CUS, LINK, RED, SR
from identity.profile import refresh_profiles
from identity.rules import MatchRules
from identity.store import execute_in, select_in, take_seqs


@dataclass
class ClusterStats:
    """What one pass of match-and-merge changed."""

    records: int = 0
    links: int = 0
    merged: int = 0
    new_customers: int = 0
    split: int = 0
    moved: int = 0


def recluster(
    session: Session,
    *,
    rules: MatchRules,
    values: set[tuple[str, str]] | None = None,
    records: set[int] | None = None,
    full: bool = False,
    cause: str = "upsert",
) -> ClusterStats:
    """Re-link the records carrying `values` (all records when `full`) and re-form their customers."""
    stats = ClusterStats()
    linked, stats.links = _refresh_links(session, rules, values or set(), full)
    seeds = linked | (records or set())
    if not seeds and not full:
        return stats
    state = _load_affected(session, seeds, full)
    stats.records = len(state)
    parts, pinned = _components(session, state)
    old = {rid: cid for rid, (cid, _) in state.items()}
    seq = _seqs(session, {c for c in old.values() if c} | set(pinned.values()))
    record_customer, fresh, redirects, stats.split = assign_ids(parts, old, seq)
    stats.new_customers = _create_customers(session, fresh, record_customer, seq)
    targets = _pin_targets(session, set(pinned.values()), redirects)
    for rid, target in pinned.items():
        record_customer[rid] = targets[target]
    redirects.update(_orphans(old, record_customer, redirects))
    stats.merged = _write_redirects(session, redirects, rules, cause)
    stats.moved = _move_records(session, old, record_customer)
    refresh_profiles(session, set(record_customer.values()), emptied=set(redirects))
    return stats


def _refresh_links(
    session: Session, rules: MatchRules, values: set[tuple[str, str]], full: bool
) -> tuple[set[int], int]:
    query = (
        "SELECT cp.kind, cp.value, cp.record_id, r.first_key, r.last_key FROM id_contact_point cp "
        "JOIN id_source_record r ON r.id = cp.record_id WHERE r.pinned_to IS NULL"
    )
    buckets: dict[tuple[str, str], list[Member]] = defaultdict(list)
    seen: set[int] = set()
    if full:
        session.execute(sa.delete(LINK))
        rows = session.execute(sa.text(query + " AND cp.record_id IS NOT NULL")).all()
    else:
        rows = []
        by_kind: dict[str, list[str]] = defaultdict(list)
        for kind, value in values:
            by_kind[kind].append(value)
        for kind, vals in by_kind.items():
            execute_in(session, sa.delete(LINK).where(LINK.c.kind == kind), "value", vals)
            rows.extend(
                select_in(session, query + " AND cp.kind = :kind AND {IN}", "cp.value", vals, {"kind": kind})
            )
    for kind, value, record_id, first_key, last_key in rows:
        buckets[kind, value].append(Member(record_id, first_key, last_key))
        seen.add(record_id)
    now = clock.now()
    new_links: list[dict[str, Any]] = []
    for (kind, value), members in buckets.items():
        for rule in rules.for_kind(kind):
            for a, b in bucket_links(rule, members):
                new_links.append(
                    {"record_a": a, "record_b": b, "rule": rule.name, "kind": kind, "value": value,
                     "rules_version": rules.version, "created_at": now}
                )  # fmt: skip
    if new_links:
        session.execute(sa.insert(LINK), new_links)
    return seen, len(new_links)


def _load_affected(session: Session, seeds: set[int], full: bool) -> dict[int, tuple[str | None, str | None]]:
    """Every record whose customer could change: the seeds and all records of the seeds' customers."""
    if full:
        rows = session.execute(sa.select(SR.c.id, SR.c.customer_id, SR.c.pinned_to)).all()
        return {r.id: (r.customer_id, r.pinned_to) for r in rows}
    state: dict[int, tuple[str | None, str | None]] = {}
    pending_records, seen_customers = set(seeds), set()
    while pending_records:
        rows = select_in(session, sa.select(SR.c.id, SR.c.customer_id, SR.c.pinned_to), "id", pending_records)
        for r in rows:
            state[r.id] = (r.customer_id, r.pinned_to)
        customers = {r.customer_id for r in rows if r.customer_id} - seen_customers
        seen_customers |= customers
        pending_records = set()
        if customers:
            rows = select_in(
                session, sa.select(SR.c.id, SR.c.customer_id, SR.c.pinned_to), "customer_id", customers
            )
            for r in rows:
                state[r.id] = (r.customer_id, r.pinned_to)
        # A link that leaves the set means a customer not yet loaded (never in a consistent store).
        pending_records = _outside_links(session, state) - set(state)
    return state


def _outside_links(session: Session, state: dict[int, tuple]) -> set[int]:
    ends: set[int] = set()
    for near, far in (("record_a", "record_b"), ("record_b", "record_a")):
        rows = select_in(session, sa.select(LINK.c[far]), near, list(state))
        ends.update(r[0] for r in rows)
    return ends


def _components(session: Session, state: dict[int, tuple]) -> tuple[list[list[int]], dict[int, str]]:
    unpinned = [rid for rid, (_, pin) in state.items() if pin is None]
    pinned = {rid: pin for rid, (_, pin) in state.items() if pin is not None}
    uf = UnionFind(unpinned)
    free = set(unpinned)
    rows = select_in(session, sa.select(LINK.c.record_a, LINK.c.record_b), "record_a", unpinned)
    for a, b in rows:
        if a in free and b in free:
            uf.union(a, b)
    parts = sorted(uf.groups().values(), key=lambda part: part[0])
    return parts, pinned


def _seqs(session: Session, ids: set[str]) -> dict[str, int]:
    rows = select_in(session, sa.select(CUS.c.id, CUS.c.seq), "id", ids)
    return {r.id: r.seq for r in rows}


def _create_customers(
    session: Session, fresh: list[list[int]], record_customer: dict[int, str], seq: dict[str, int]
) -> int:
    if not fresh:
        return 0
    first = take_seqs(session, len(fresh))
    now = clock.now()
    rows = []
    for offset, part in enumerate(fresh):
        cid = new_id("cus")
        seq[cid] = first + offset
        rows.append({"id": cid, "seq": first + offset, "status": "active", "origin": "match",
                     "record_count": len(part), "created_at": now, "updated_at": now})  # fmt: skip
        for rid in part:
            record_customer[rid] = cid
    session.execute(sa.insert(CUS), rows)
    return len(rows)


def _pin_targets(session: Session, targets: set[str], redirects: dict[str, str]) -> dict[str, str]:
    """Each crosswalk customer id, followed through existing and new redirects to its survivor."""
    stored = {
        r.from_id: r.to_id
        for r in select_in(session, sa.select(RED.c.from_id, RED.c.to_id), "from_id", targets)
    }
    out = {}
    for target in targets:
        survivor = stored.get(target, target)
        out[target] = redirects.get(survivor, survivor)
    return out


def _orphans(
    old: dict[int, str | None], record_customer: dict[int, str], redirects: dict[str, str]
) -> dict[str, str]:
    """Old ids left without records (all pinned elsewhere): redirect to where most of them went."""
    kept = set(record_customer.values())
    went: dict[str, Counter] = defaultdict(Counter)
    for rid, cid in old.items():
        if cid and cid not in kept and cid not in redirects:
            went[cid][record_customer[rid]] += 1
    return {cid: min(counts, key=lambda c: (-counts[c], c)) for cid, counts in went.items()}


def _write_redirects(session: Session, redirects: dict[str, str], rules: MatchRules, cause: str) -> int:
    if not redirects:
        return 0
    now = clock.now()
    session.execute(
        sa.insert(RED),
        [{"from_id": loser, "to_id": survivor, "merged_at": now,
          "reason": {"cause": cause, "rules_version": rules.version}} for loser, survivor in redirects.items()],
    )  # fmt: skip
    for loser, survivor in redirects.items():
        # Collapse chains: whatever pointed at the loser now points at its survivor.
        session.execute(sa.update(RED).where(RED.c.to_id == loser).values(to_id=survivor))
        session.execute(
            sa.update(CP)
            .where(CP.c.customer_id == loser, CP.c.record_id.is_(None))
            .values(customer_id=survivor)
        )
    execute_in(
        session, sa.update(CUS).values(status="merged", record_count=0, updated_at=now), "id", list(redirects)
    )
    return len(redirects)


def _move_records(session: Session, old: dict[int, str | None], record_customer: dict[int, str]) -> int:
    moves = [{"rid": rid, "cid": cid} for rid, cid in record_customer.items() if old.get(rid) != cid]
    if moves:
        session.execute(
            sa.update(SR).where(SR.c.id == sa.bindparam("rid")).values(customer_id=sa.bindparam("cid")), moves
        )
        session.execute(
            sa.update(CP)
            .where(CP.c.record_id == sa.bindparam("rid"))
            .values(customer_id=sa.bindparam("cid")),
            moves,
        )
    return len(moves)
