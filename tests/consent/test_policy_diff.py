"""Side-by-side differences between policy versions."""

import pytest

from consent import policies, policy_diff
from consent.policy_loader import reference_text
from core.audit import SYSTEM
from core.errors import NotFound


def test_diff_rows_fold_unchanged_stretches():
    old = "\n".join(f"line {i}" for i in range(1, 21))
    new = old.replace("line 10", "line ten").replace("line 20", "line 20\nline 21")
    rows, added, removed = policy_diff.diff_texts(old, new, context=2)
    assert (added, removed) == (2, 1)
    ops = [r.op for r in rows]
    assert ops[0] == "skip" and rows[0].hidden == 7  # lines 1-7 folded, 8-9 kept as context
    changed = next(r for r in rows if r.op == "replace")
    assert (changed.old_no, changed.old, changed.new_no, changed.new) == (10, "line 10", 10, "line ten")
    inserted = rows[-1]
    assert (inserted.op, inserted.old_no, inserted.new_no, inserted.new) == ("insert", None, 21, "line 21")
    assert [r.op for r in rows].count("skip") == 2


def test_identical_texts():
    rows, added, removed = policy_diff.diff_texts("a\nb\n", "a\nb\n")
    assert (added, removed) == (0, 0) and all(r.op in ("equal", "skip") for r in rows)


def test_unequal_replacements_pair_lines_then_delete():
    rows, added, removed = policy_diff.diff_texts("a\nx\ny\nb", "a\nz\nb")
    assert [(r.op, r.old, r.new) for r in rows if r.op not in ("equal", "skip")] == [
        ("replace", "x", "z"),
        ("delete", "y", None),
    ]
    assert (added, removed) == (1, 2)


def test_diff_versions_and_unknown_version(db):
    text = reference_text().replace("policy: reference-v1", "policy: reference-v2")
    with db.session(write=True) as session:
        policies.upload_policy(session, text=text, actor=SYSTEM)
        diff = policy_diff.diff_versions(session, old="reference-v1", new="reference-v2")
        assert (diff.old.version, diff.new.version, diff.added, diff.removed) == (
            "reference-v1",
            "reference-v2",
            1,
            1,
        )
        assert not diff.identical
        with pytest.raises(NotFound) as raised:
            policy_diff.diff_versions(session, old="reference-v1", new="nope")
    assert raised.value.field == "new" and "reference-v2" in raised.value.message
