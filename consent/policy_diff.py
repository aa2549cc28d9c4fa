"""The difference between two policy versions, line by line, for people to read side by side."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlmodel import Session

from consent.policies import PolicyVersion, get_version
from core.errors import NotFound

CONTEXT = 3  # unchanged lines kept around each change


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff: `equal`, `replace`, `delete`, `insert`, or `skip` (hidden lines)."""

    op: str
    old_no: int | None = None
    old: str | None = None
    new_no: int | None = None
    new: str | None = None
    hidden: int = 0


@dataclass
class PolicyDiff:
    """Two versions and the rows that differ (with context), plus counts of changed lines."""

    old: PolicyVersion
    new: PolicyVersion
    rows: list[DiffRow]
    added: int
    removed: int

    @property
    def identical(self) -> bool:
        """Whether the two texts are the same."""
        return not self.added and not self.removed


def diff_texts(old: str, new: str, *, context: int = CONTEXT) -> tuple[list[DiffRow], int, int]:
    """Side-by-side rows of the line differences, unchanged stretches longer than 2*context folded."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    added = removed = 0
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows.extend(_equal(a, i1, i2, j1, context, first=i1 == 0, last=i2 == len(a)))
            continue
        removed += i2 - i1
        added += j2 - j1
        for k in range(max(i2 - i1, j2 - j1)):
            left, right = i1 + k, j1 + k
            has_left, has_right = left < i2, right < j2
            rows.append(
                DiffRow(
                    op=op if has_left and has_right else ("delete" if has_left else "insert"),
                    old_no=left + 1 if has_left else None,
                    old=a[left] if has_left else None,
                    new_no=right + 1 if has_right else None,
                    new=b[right] if has_right else None,
                )
            )
    return rows, added, removed


def _equal(
    a: list[str], i1: int, i2: int, j1: int, context: int, *, first: bool, last: bool
) -> list[DiffRow]:
    def row(i: int) -> DiffRow:
        return DiffRow("equal", i + 1, a[i], j1 + (i - i1) + 1, a[i])

    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    if i2 - i1 <= keep_head + keep_tail + 1:
        return [row(i) for i in range(i1, i2)]
    head = [row(i) for i in range(i1, i1 + keep_head)]
    tail = [row(i) for i in range(i2 - keep_tail, i2)]
    hidden = (i2 - keep_tail) - (i1 + keep_head)
    return [*head, DiffRow("skip", hidden=hidden), *tail]


def _version(session: Session, version: str, field: str) -> PolicyVersion:
    try:
        return get_version(session, version=version)
    except NotFound as exc:
        raise NotFound(exc.message, field=field) from None


def diff_versions(session: Session, *, old: str, new: str) -> PolicyDiff:
    """The line differences from version `old` to version `new` (NotFound naming the versions that exist)."""
    before, after = _version(session, old, "old"), _version(session, new, "new")
    rows, added, removed = diff_texts(before.text or "", after.text or "")
    return PolicyDiff(before, after, rows, added, removed)
