"""Every planted case is counted in the manifest and can be found in the databases themselves."""

from __future__ import annotations

import csv
from collections import defaultdict

import phonenumbers
import pytest

from core.clock import parse_instant

from . import matching
from .conftest import AS_OF

REQUIRED_CASES = (
    "people_in_several_systems", "duplicate_source_records", "people_with_two_emails",
    "households_sharing_a_phone", "people_with_conflicting_consents", "people_with_out_of_order_records",
    "people_reconsented_explicitly", "people_reconsented_by_other_means", "pending_double_opt_ins",
    "expired_consents", "objections_support", "objections_crm", "registry_listed_customer_phones",
    "dnc_requests", "spam_complaints", "hard_bounces_live", "hard_bounces_expired", "gpc_signals",
    "purchases", "purchases_with_soft_opt_in_notice", "inquiries", "unknown_jurisdiction_people",
)  # fmt: skip
EXPLICIT = {"web_form", "preference_center", "double_opt_in_confirmed", "written_signed", "verbal_recorded",
            "sms_keyword_start"}  # fmt: skip
CONSENT_SQL = {
    "crm": "SELECT contact_id, channel, purpose, status, method, captured_at, synced_at, NULL FROM contact_preferences",
    "marketing": "SELECT subscriber_id, channel, purpose, status, method, captured_at, received_at, expires_at "
    "FROM subscriptions",
    "product": "SELECT user_id, channel, purpose, status, method, captured_at, received_at, expires_at "
    "FROM app_consents",
}


@pytest.fixture(scope="module")
def consents(query, person_of):
    """Every consent record as (person, system, channel, purpose, status, method, captured, received, expires)."""
    out = []
    for system, sql in CONSENT_SQL.items():
        for key, channel, purpose, status, method, captured, received, expires in query(system, sql):
            out.append((person_of[(system, key)], system, channel, purpose, status, method, parse_instant(captured),
                        parse_instant(received), parse_instant(expires) if expires else None))  # fmt: skip
    return out


@pytest.fixture(scope="module")
def records(sample, person_of):
    """Identity records with normalised contact points and the person behind each."""
    rows = matching.load_records(sample)
    for row in rows:
        row["person"] = person_of[row["id"]]
    return rows


def _groups(consents):
    groups = defaultdict(list)
    for c in consents:
        groups[(c[0], c[2], c[3])].append(c)
    return groups


def test_every_case_is_planted(sample):
    missing = [case for case in REQUIRED_CASES if sample.cases.get(case, 0) <= 0]
    assert not missing
    assert sample.cases["people"] == sample.customers


def test_conflicting_and_out_of_order_consents_are_in_the_records(sample, consents):
    conflicted, late = set(), set()
    for (person, *_), group in _groups(consents).items():
        ins = {c[1] for c in group if c[4] == "opt_in"}
        outs = {c[1] for c in group if c[4] == "opt_out"}
        if any(a != b for a in ins for b in outs):
            conflicted.add(person)
        if any(a[6] < b[6] and a[7] > b[7] for a in group for b in group):
            late.add(person)
    assert len(conflicted) == sample.cases["people_with_conflicting_consents"]
    assert len(late) == sample.cases["people_with_out_of_order_records"]


def test_reconsents_pending_and_expired_are_in_the_records(sample, consents):
    explicit, other = set(), set()
    for (person, *_), group in _groups(consents).items():
        outs = [c[6] for c in group if c[4] == "opt_out"]
        for c in group:
            if outs and c[4] == "opt_in" and c[6] > min(outs):
                (explicit if c[5] in EXPLICIT else other).add(person)
    assert len(explicit) == sample.cases["people_reconsented_explicitly"]
    assert len(other) == sample.cases["people_reconsented_by_other_means"]
    pending = [
        c for c in consents
        if c[4] == "pending" and not any(d[:4] == c[:4] and d[4] == "opt_in" and d[6] >= c[6] for d in consents)
    ]  # fmt: skip
    assert len(pending) == sample.cases["pending_double_opt_ins"]
    assert all(c[5] == "double_opt_in_pending" for c in pending)
    expired = [c for c in consents if c[4] == "opt_in" and c[8] and c[8] < AS_OF]
    assert len(expired) == sample.cases["expired_consents"]
    assert sum(1 for c in consents if c[4] == "objection") == sample.cases["objections_crm"]


def test_households_share_a_phone_but_not_a_first_name(sample, records):
    by_phone = defaultdict(set)
    for r in records:
        if r["phone"]:
            by_phone[r["phone"]].add((r["person"], r["last"], r["first"]))
    shared = {phone: people for phone, people in by_phone.items() if len({p for p, _, _ in people}) > 1}
    assert len(shared) == sample.cases["households_sharing_a_phone"]
    assert (
        sum(len({p for p, _, _ in people}) for people in shared.values())
        == sample.cases["people_in_shared_phone_households"]
    )
    for people in shared.values():
        assert len({last for _, last, _ in people}) == 1
        initials = defaultdict(set)
        for person, _, first in people:
            initials[person].add(first[0])
        firsts = [next(iter(i)) for i in initials.values()]
        assert len(firsts) == len(set(firsts))  # different people, different initials


def test_people_with_two_emails_have_them_in_two_systems(sample, records):
    emails = defaultdict(lambda: defaultdict(set))
    for r in records:
        if r["email"]:
            emails[r["person"]][r["email"]].add(r["id"][0])
    two = {p: e for p, e in emails.items() if len(e) > 1}
    assert len(two) == sample.cases["people_with_two_emails"]
    for by_email in two.values():
        places = [(email, system) for email, systems in by_email.items() for system in systems]
        assert any(e1 != e2 and s1 != s2 for e1, s1 in places for e2, s2 in places)


def test_registry_lists_real_customers_phones_and_strangers(sample, records):
    with sample.registry_path.open() as fh:
        listed = [row["phone"] for row in csv.DictReader(fh)]
    assert listed == sorted(set(listed)) and all(len(n) == 10 and n.isdigit() for n in listed)
    customer_numbers = {r["phone"][2:] for r in records if r["phone"] and r["phone"].startswith("+1")}
    customers = set(listed) & customer_numbers
    assert len(customers) == sample.cases["registry_listed_customer_phones"] > 0
    assert len(listed) > len(customers)  # and numbers of people who are not customers
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(n, "US")) for n in listed)


def test_dnc_requests_bounces_complaints_and_gpc(sample, query, records, person_of):
    phone_of = {r["id"]: r["phone"] for r in records}
    requests = query("support", "SELECT r.requester_id, d.phone, r.country FROM dnc_requests d "
                                "JOIN requesters r USING (requester_id)")  # fmt: skip
    assert len(requests) == sample.cases["dnc_requests"]
    for key, said, country in requests:
        assert matching.e164(said, country) == phone_of[("support", key)]
    bounces = query("marketing", "SELECT email, bounce_type, expires_at FROM bounces")
    hard = [(e, parse_instant(x)) for e, kind, x in bounces if kind == "hard"]
    assert sum(x < AS_OF for _, x in hard) == sample.cases["hard_bounces_expired"]
    assert sum(x >= AS_OF for _, x in hard) == sample.cases["hard_bounces_live"]
    subscribers = {r["email"] for r in records if r["id"][0] == "marketing"}
    complaints = [e for (e,) in query("marketing", "SELECT email FROM spam_complaints")]
    assert len(complaints) == sample.cases["spam_complaints"]
    assert {e for e, _, _ in bounces} | set(complaints) <= subscribers
    gpc = query("product", "SELECT u.country, u.region FROM gpc_signals g JOIN users u USING (user_id)")
    assert len(gpc) == sample.cases["gpc_signals"]
    assert {f"{c}-{r}" for c, r in gpc} <= {"US-CA", "US-CO", "US-CT"} and ("US", "CA") in gpc


def test_purchases_inquiries_objections_and_jurisdictions(sample, query, records):
    purchases = query("billing", "SELECT soft_opt_in_notice_given FROM purchases")
    assert len(purchases) == sample.cases["purchases"]
    assert sum(n for (n,) in purchases) == sample.cases["purchases_with_soft_opt_in_notice"]
    assert {n for (n,) in purchases} == {0, 1}
    inquiries = query("support", "SELECT COUNT(*) FROM tickets WHERE kind = 'inquiry'")[0][0]
    assert inquiries == sample.cases["inquiries"]
    objections = query("support", "SELECT COUNT(*) FROM objections")[0][0]
    assert objections == sample.cases["objections_support"]
    ruled = {"DE", "FR", "NL", "IE", "ES", "IT", "GB", "US", "CA"}
    unknown = {r["person"] for r in records if r["country"] not in ruled}
    assert len(unknown) == sample.cases["unknown_jurisdiction_people"]
    assert sum(sample.people_by_jurisdiction.values()) == sample.customers


def test_a_sensible_matcher_succeeds_where_same_phone_merges_households(records, person_of):
    truth = {r["id"]: r["person"] for r in records}
    precision, recall = matching.pairwise(matching.cluster(records), truth)
    assert precision > 0.95 and recall > 0.95
    naive = matching.cluster(records, naive_phone=True)
    naive_precision, _ = matching.pairwise(naive, truth)
    assert naive_precision < precision
    people_per_cluster = defaultdict(set)
    for key, cluster in naive.items():
        people_per_cluster[cluster].add(truth[key])
    assert any(len(people) > 1 for people in people_per_cluster.values())
