"""Pure match-and-merge logic: links from shared contact points, components, and stable id assignment."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from identity.rules import MatchRule


@dataclass(frozen=True)
class Member:
    """A source record as the rules see it: its id and compared name keys."""

    record_id: int
    first_key: str
    last_key: str


def bucket_links(rule: MatchRule, members: Iterable[Member]) -> list[tuple[int, int]]:
    """Pairs (a, b), a < b, that `rule` links among records sharing one contact point value.

    Records that agree on the rule's name parts form a group; each group is linked as a star to its
    lowest record id, which connects the same records as all pairs would with far fewer links.
    """
    unique = {m.record_id: m for m in members}
    if len(unique) < 2:
        return []
    people = {(m.first_key[:1], m.last_key) for m in unique.values() if m.first_key or m.last_key}
    if len(people) > rule.max_distinct_names:
        return []  # a switchboard, a role address: it says nothing about who is who
    full_first_names = {m.first_key for m in unique.values() if len(m.first_key) > 1}
    household = rule.household_protection and len(full_first_names) >= 2
    names_by_last: dict[str, set[str]] = defaultdict(set)
    for member in unique.values():
        if len(member.first_key) > 1:
            names_by_last[member.last_key].add(member.first_key)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for member in unique.values():
        key = _group_key(rule, member, names_by_last if household else None)
        if key is not None:
            groups[key].append(member.record_id)
    links = []
    for ids in groups.values():
        if len(ids) > 1:
            ids.sort()
            links.extend((ids[0], other) for other in ids[1:])
    return links


def _group_key(rule: MatchRule, member: Member, household: dict[str, set[str]] | None) -> tuple | None:
    if "last_name" in rule.require and not member.last_key:
        return None
    last = (member.last_key,) if "last_name" in rule.require else ()
    first = member.first_key
    if household is not None:
        # Shared landline or address: only the same first name is the same person. An initial stands
        # for a first name only when exactly one person of that last name there has that initial.
        if len(first) == 1 and "first_initial" in rule.require:
            matches = [name for name in household.get(member.last_key, ()) if name[0] == first]
            first = matches[0] if len(matches) == 1 else ""
        return (*last, first) if len(first) > 1 else None
    if "first_name" in rule.require:
        return (*last, first) if first else None
    if "first_initial" in rule.require:
        return (*last, first[0]) if first else None
    return last


class UnionFind:
    """Disjoint sets over record ids; the representative is the lowest id, so results are deterministic."""

    def __init__(self, items: Iterable[int] = ()):
        self.parent: dict[int, int] = {i: i for i in items}

    def find(self, item: int) -> int:
        """The representative of `item`'s set (path halving)."""
        parent = self.parent
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        """Join the sets of `a` and `b`."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra

    def groups(self) -> dict[int, list[int]]:
        """Each set, keyed by its representative, members sorted."""
        out: dict[int, list[int]] = defaultdict(list)
        for item in sorted(self.parent):
            out[self.find(item)].append(item)
        return dict(out)


def assign_ids(
    parts: list[list[int]], old: dict[int, str | None], seq: dict[str, int]
) -> tuple[dict[int, str], list[list[int]], dict[str, str], int]:
    """Give each part (component of unpinned records) a customer id, keeping ids stable.

    An old id stays with the part that holds most of its records (ties: the part with its lowest
    record id); the rest of its records split off. A part that keeps several old ids is a merge: the
    oldest id (lowest creation number) survives and the others redirect to it. A part that keeps no
    old id gets a new one (returned in `fresh`, ordered by lowest record id).
    """
    holdings: dict[str, Counter] = defaultdict(Counter)
    lowest: dict[tuple[str, int], int] = {}
    for index, part in enumerate(parts):
        for record in part:
            cid = old.get(record)
            if cid is not None:
                holdings[cid][index] += 1
                lowest[cid, index] = min(lowest.get((cid, index), record), record)
    claims: dict[int, list[str]] = defaultdict(list)
    split = 0
    for cid, counts in holdings.items():
        owner = min(counts, key=lambda i: (-counts[i], lowest[cid, i]))
        claims[owner].append(cid)
        split += len(counts) - 1
    part_id: dict[int, str] = {}
    redirects: dict[str, str] = {}
    fresh: list[list[int]] = []
    for index, part in enumerate(parts):
        kept = sorted(claims.get(index, []), key=lambda c: (seq[c], c))
        if not kept:
            fresh.append(part)
            continue
        part_id[index] = kept[0]
        for loser in kept[1:]:
            redirects[loser] = kept[0]
    record_customer = {r: part_id[i] for i, part in enumerate(parts) if i in part_id for r in part}
    return record_customer, fresh, redirects, split
