"""The rules document and the pure link logic of each rule."""

import pytest

from core.errors import InvalidInput
from identity.matching import Member, UnionFind, assign_ids, bucket_links
from identity.rules import MatchRule, default_rules, load_rules, parse_rules

EMAIL = MatchRule("same_email", "email", (), False, 3)
PHONE = MatchRule(
    "same_phone_and_last_name_and_first_initial", "phone", ("last_name", "first_initial"), True, 4
)


def test_packaged_rules_load_with_a_version():
    rules = default_rules()
    assert rules.version == "rules-v1"
    assert [r.name for r in rules.rules] == [
        "same_email",
        "same_phone_and_last_name_and_first_initial",
        "same_address_and_full_name",
    ]
    assert load_rules(rules.to_dict()) == rules


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"rules": [{"name": "x", "kind": "email"}]}, "version"),
        ({"version": "v", "rules": []}, "rules"),
        ({"version": "v", "rules": [{"name": "x", "kind": "fax"}]}, "rules[0].kind"),
        ({"version": "v", "rules": [{"name": "x", "kind": "phone", "require": []}]}, "rules[0].require"),
        ({"version": "v", "rules": [{"name": "x", "kind": "email", "require": ["age"]}]}, "rules[0].require"),
        ({"version": "v", "rules": [{"name": "x", "kind": "email", "colour": 1}]}, "rules[0].colour"),
        (
            {"version": "v", "rules": [{"name": "x", "kind": "email"}, {"name": "x", "kind": "email"}]},
            "rules[1].name",
        ),
        (
            {"version": "v", "rules": [{"name": "x", "kind": "email", "max_distinct_names": 0}]},
            "rules[0].max_distinct_names",
        ),
    ],
)
def test_broken_rules_name_the_field(document, field):
    with pytest.raises(InvalidInput) as err:
        parse_rules(document)
    assert err.value.field == field


def test_yaml_errors_give_the_line():
    with pytest.raises(InvalidInput) as err:
        load_rules("version: v\nrules: [\n  - {name: x\n")
    assert "line" in err.value.message


def test_same_email_links_everyone_holding_it_as_a_star():
    members = [Member(5, "john", "smith"), Member(2, "j", "smith"), Member(9, "johnny", "smith")]
    assert bucket_links(EMAIL, members) == [(2, 5), (2, 9)]


def test_role_address_seen_with_many_names_links_nobody():
    members = [Member(i, f, "x") for i, f in enumerate(["ann", "bob", "cy", "dan"])]
    assert bucket_links(EMAIL, members) == []


def test_phone_needs_last_name_and_first_initial():
    members = [Member(1, "john", "smith"), Member(2, "j", "smith"), Member(3, "john", "jones")]
    assert bucket_links(PHONE, members) == [(1, 2)]


def test_household_phone_only_links_identical_first_names():
    # Anna and Alex Smith share a landline: the phone never makes them one; "A Smith" is ambiguous.
    members = [
        Member(1, "anna", "smith"),
        Member(2, "alex", "smith"),
        Member(3, "a", "smith"),
        Member(4, "anna", "smith"),
    ]
    assert bucket_links(PHONE, members) == [(1, 4)]


def test_household_initial_links_when_only_one_person_has_it():
    # Julia and Max Krause share a landline; "J Krause" can only be Julia, "M Krause" only Max.
    members = [
        Member(1, "julia", "krause"),
        Member(2, "max", "krause"),
        Member(3, "j", "krause"),
        Member(4, "m", "krause"),
    ]
    assert sorted(bucket_links(PHONE, members)) == [(1, 3), (2, 4)]


def test_union_find_groups_with_lowest_representative():
    uf = UnionFind([1, 2, 3, 4, 5])
    uf.union(4, 2)
    uf.union(5, 4)
    assert uf.groups() == {1: [1], 2: [2, 4, 5], 3: [3]}


def test_assign_ids_keeps_old_ids_merges_to_oldest_and_splits_off_minority():
    seq = {"cus_old": 1, "cus_new": 2}
    old = {1: "cus_old", 2: "cus_old", 3: "cus_new", 4: "cus_old", 5: None}
    parts = [[1, 2, 3], [4], [5]]
    record_customer, fresh, redirects, split = assign_ids(parts, old, seq)
    assert record_customer == {1: "cus_old", 2: "cus_old", 3: "cus_old"}
    assert redirects == {"cus_new": "cus_old"}
    assert fresh == [[4], [5]]  # record 4 split off cus_old; record 5 is new
    assert split == 1
