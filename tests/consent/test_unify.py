"""The unified table on both databases: shared contact points, merges, rebuild equals incremental, refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel

from consent import eligibility, operations
from consent.models import DecisionRow
from core import clock
from core.audit import SYSTEM
from identity import service as identity
from tests.consent.conftest import consent, profile

NOW = datetime(2026, 6, 1, tzinfo=UTC)
SHARED_PHONE = "+14155550100"


def table(db) -> dict[tuple, tuple]:
    """The unified table without its evaluation instant."""
    c = DecisionRow.__table__.c
    with db.session() as session:
        rows = session.execute(
            sa.select(DecisionRow.__table__).order_by(c.customer_id, c.channel, c.purpose, c.contact_point)
        )
        return {
            (r.customer_id, r.channel, r.purpose, r.contact_point): (
                r.ordinal, r.allowed, r.reason, r.decided_by_kind, r.decided_by_id, r.policy_version, r.valid_until, r.rule
            )
            for r in rows
        }  # fmt: skip


def rebuild(db):
    with db.session(write=True) as session:
        return operations.rebuild(session, actor=SYSTEM)


def cid(db, key):
    with db.session() as session:
        return identity.resolve(session, source_key=key)[0]


def check(db, kind, value, channel="email", purpose="marketing"):
    with db.session() as session:
        return eligibility.check(session, kind=kind, value=value, channel=channel, purpose=purpose)


def household(ingest):
    # Same landline and last name, different first names and emails: two people identity keeps apart.
    ingest(
        profile("H1", jurisdiction="US-TX", emails=["ann@example.com"], phones=[SHARED_PHONE], first_name="Ann", last_name="Lee"),
        profile("H2", jurisdiction="US-TX", emails=["bob@example.com"], phones=[SHARED_PHONE], first_name="Bob", last_name="Lee"),
    )  # fmt: skip


def test_household_phone_opt_out_and_dnc_bind_everyone_sharing_the_number(db, ingest):
    household(ingest)
    ann, bob = cid(db, "crm:H1"), cid(db, "crm:H2")
    assert ann != bob
    ingest(consent("s1", source="marketing", status="opt_out", channel="sms", contact_point="(415) 555-0100"))
    assert check(db, "customer", ann, channel="sms").reason == "opt_out"
    assert check(db, "customer", bob, channel="sms").reason == "opt_out"
    ingest({"type": "dnc_request", "source": "support", "id": "d1", "source_key": "H1", "phone": SHARED_PHONE,
            "captured_at": "2025-01-01T00:00:00Z"})  # fmt: skip
    assert check(db, "customer", bob, channel="voice").reason == "internal_dnc"
    assert check(db, "phone", "415-555-0100", channel="voice").reason == "internal_dnc"
    assert table(db) == (rebuild(db), table(db))[1]


def test_shared_email_across_customers_is_allowed_only_if_all_are(db, ingest):
    # An upstream MDM says these two records are two people, though they share an inbox.
    ingest(
        profile("F1", jurisdiction="DE", emails=["family@example.com"], customer="mdm-1", first_name="Ann"),
        profile("F2", jurisdiction="DE", emails=["family@example.com"], customer="mdm-2", first_name="Bob"),
        consent("c1", "F1"), consent("c2", "F2"),
    )  # fmt: skip
    assert check(db, "email", "family@example.com").allowed
    ingest(
        consent(
            "c3",
            "F2",
            status="opt_out",
            captured_at="2025-04-01T00:00:00Z",
            contact_point="family@example.com",
        )
    )
    assert check(db, "customer", "mdm-1").reason == "opt_out"  # keyed by the address: binds both
    shared = check(db, "email", "FAMILY@example.com")
    assert (shared.allowed, shared.reason) == (False, "opt_out")


def test_two_emails_one_opted_out(db, ingest):
    ingest(
        profile("C1", jurisdiction="GB", emails=["ann@home.example"]),
        profile("M1", source="marketing", jurisdiction="GB", emails=["ann@home.example", "ann@work.example"]),
        consent("p1", "C1", captured_at="2025-01-01T00:00:00Z"),
        consent("u1", source="marketing", status="opt_out", contact_point="ann@work.example", captured_at="2025-02-01T00:00:00Z"),
    )  # fmt: skip
    ann = cid(db, "crm:C1")
    assert cid(db, "marketing:M1") == ann
    assert check(db, "email", "ann@work.example").reason == "opt_out"
    assert check(db, "email", "ann@home.example").reason == "explicit_opt_in"
    best = check(db, "customer", ann)
    assert (best.allowed, best.contact_point) == (True, "ann@home.example")


def test_merge_moves_decisions_to_the_survivor(db, ingest):
    ingest(
        profile("A1", jurisdiction="DE", emails=["x@example.com"], first_name="Xi", last_name="Wu"),
        consent("p1", "A1"),
    )
    ingest(
        profile(
            "B1", source="billing", jurisdiction="DE", phones=["+4930123456"], first_name="Xi", last_name="Wu"
        )
    )
    before = {cid(db, "crm:A1"), cid(db, "billing:B1")}
    assert len(before) == 2
    # A new CRM version with the phone links the two records: one customer, the older id survives.
    ingest(
        profile(
            "A1",
            jurisdiction="DE",
            emails=["x@example.com"],
            phones=["+4930123456"],
            first_name="Xi",
            last_name="Wu",
        )
    )
    survivor = cid(db, "crm:A1")
    assert cid(db, "billing:B1") == survivor
    kept = {key[0] for key in table(db)}
    assert kept == {survivor}
    merged = (before - {survivor}).pop()
    assert check(db, "customer", merged).customer_id == survivor


def test_refresh_reevaluates_decisions_whose_validity_lapsed(db, ingest):
    with clock.frozen(NOW):
        ingest(profile("C1", jurisdiction="DE", emails=["ann@example.com"]),
               consent("p1", "C1", captured_at="2026-01-01T00:00:00Z", expires_at="2026-07-01T00:00:00Z"))  # fmt: skip
    ann = cid(db, "crm:C1")
    assert table(db)[(ann, "email", "marketing", "ann@example.com")][2] == "explicit_opt_in"
    with clock.frozen(NOW + timedelta(days=60)):
        # The stored row has lapsed: a read evaluates live until the job rewrites it.
        live = check(db, "customer", ann)
        assert (live.reason, live.basis) == ("expired", "live")
        with db.session(write=True) as session:
            assert operations.refresh_due(session, actor=SYSTEM).customers == 1
        stored = check(db, "customer", ann)
    assert (stored.reason, stored.basis) == ("expired", "stored")


PEOPLE = ["H1", "H2", "C1"]
POINTS = [
    ("email", "ann@example.com"),
    ("email", "bob@example.com"),
    ("phone", SHARED_PHONE),
    ("email", "cy@example.com"),
]
instants = st.integers(0, 400).map(lambda d: (NOW - timedelta(days=d)).isoformat())


@st.composite
def fact_events(draw, n):
    kind = draw(
        st.sampled_from(
            ["consent", "consent", "consent", "suppression", "dnc_request", "relationship", "gpc_signal"]
        )
    )
    who = draw(st.sampled_from(PEOPLE))
    at = draw(instants)
    if kind == "consent":
        point = draw(st.sampled_from([None, *POINTS]))
        if point is None:
            channel = draw(st.sampled_from(["email", "sms", "voice"]))
        else:
            channel = "email" if point[0] == "email" else draw(st.sampled_from(["sms", "voice"]))
        event = consent(f"e{n}", None if point else who, source=draw(st.sampled_from(["crm", "marketing", "product"])),
                        status=draw(st.sampled_from(["opt_in", "opt_out", "pending", "objection"])), channel=channel,
                        purpose=draw(st.sampled_from(["marketing", "marketing.offers"])), captured_at=at,
                        method=draw(st.sampled_from(["web_form", "import", "double_opt_in_confirmed"])))  # fmt: skip
        if point:
            event["contact_point"] = point[1]
        return event
    base = {"type": kind, "source": "support", "id": f"e{n}", "source_key": who}
    if kind == "suppression":
        return {
            **base,
            "list": draw(st.sampled_from(["hard_bounce", "spam_complaint", "do_not_solicit"])),
            "captured_at": at,
        }
    if kind == "dnc_request":
        return {**base, "phone": SHARED_PHONE, "captured_at": at}
    if kind == "relationship":
        return {**base, "kind": draw(st.sampled_from(["purchase", "inquiry"])), "occurred_at": at,
                "soft_opt_in_notice_given": draw(st.booleans())}  # fmt: skip
    return {**base, "observed_at": at}


def wipe(db):
    with db.engine.begin() as conn:
        for t in reversed(SQLModel.metadata.sorted_tables):
            if t.name.startswith(("consent_", "id_")):
                conn.execute(t.delete())


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_incremental_decisions_equal_a_full_rebuild(db, ingest, data):
    wipe(db)
    events = [data.draw(fact_events(n)) for n in range(data.draw(st.integers(1, 10)))]
    order = data.draw(st.permutations(range(len(events))))
    sizes = data.draw(st.lists(st.integers(1, 4), min_size=len(events), max_size=len(events)))
    with clock.frozen(NOW):
        household(ingest)
        ingest(
            profile(
                "C1",
                jurisdiction="CA-ON",
                emails=["cy@example.com"],
                phones=["+14165550123"],
                first_name="Cy",
            )
        )
        pending = [events[i] for i in order]
        for size in sizes:
            if pending:
                ingest(*pending[:size])
                pending = pending[size:]
        incremental = table(db)
        rebuild(db)
        assert table(db) == incremental
