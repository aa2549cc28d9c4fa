"""The compliance view of one customer: decision matrix at any instant, merge reasons, traces."""

from datetime import UTC, datetime

import pytest

from consent import customer_view
from core import clock
from core.errors import InvalidInput, NotFound
from identity import service as identity
from tests.consent.conftest import consent, profile

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def ann(db, ingest):
    with clock.frozen(NOW):
        ingest(
            profile("C1", jurisdiction="DE", emails=["ann@example.com", "ann@work.example"], phones=["+4930123456"],
                    first_name="Ann", last_name="Lee"),
            profile("B1", source="billing", jurisdiction="DE", emails=["ANN@example.com"], first_name="Ann",
                    last_name="Lee"),
            profile("M1", source="marketing", jurisdiction="DE", emails=["ann@work.example"], first_name="Ann",
                    last_name="Lee"),
            consent("p1", "C1", captured_at="2025-01-01T00:00:00Z", received_at="2025-01-01T01:00:00Z"),
            consent("p2", "M1", source="marketing", status="opt_out", contact_point="ann@work.example",
                    captured_at="2025-05-01T00:00:00Z", received_at="2025-06-01T00:00:00Z"),
        )  # fmt: skip
    with db.session() as session:
        return identity.resolve(session, source_key="crm:C1")[0]


def test_overview_matrix_per_contact_point(db, ann):
    with clock.frozen(NOW), db.session() as session:
        view = customer_view.customer_overview(session, customer_id=ann)
    assert view.customer.id == ann and view.policy_version == "reference-v1" and view.at == NOW
    assert view.channels == ["email", "sms", "voice", "post", "paid_media"]
    assert view.purposes[:2] == ["transactional", "marketing"] and "advertising" in view.purposes
    cell = view.cells[("email", "marketing")]
    points = {p.contact_point: (p.allowed, p.reason) for p in cell.points}
    assert points == {"ann@example.com": (True, "explicit_opt_in"), "ann@work.example": (False, "opt_out")}
    assert cell.answer.contact_point == "ann@example.com"  # the first allowed point answers for the channel
    assert cell.answer.decided_by == "crm/p1"
    assert view.points_of("email") == ["ann@example.com", "ann@work.example"]
    assert ("email", "advertising") not in view.cells  # not kept for that channel
    assert view.fact_counts == {"consent": 2}


def test_overview_at_an_earlier_instant(db, ann):
    with db.session() as session:
        view = customer_view.customer_overview(session, customer_id=ann, at=datetime(2025, 2, 1, tzinfo=UTC))
    work = next(p for p in view.cells[("email", "marketing")].points if p.contact_point == "ann@work.example")
    assert (work.allowed, work.reason) == (True, "explicit_opt_in")


def test_merge_reasons_walk_from_the_first_record(db, ann):
    with db.session() as session:
        view = customer_view.customer_overview(session, customer_id=ann)
    assert [m.record for m in view.merges] == ["crm:C1", "marketing:M1"]
    assert all(m.anchor == "billing:B1" for m in view.merges)
    steps = {m.record: [(s.rule, s.value, s.to) for s in m.steps] for m in view.merges}
    assert steps["crm:C1"] == [("same_email", "ann@example.com", "crm:C1")]
    assert steps["marketing:M1"] == [
        ("same_email", "ann@example.com", "crm:C1"),
        ("same_email", "ann@work.example", "marketing:M1"),
    ]


def test_unknown_customer(db):
    with db.session() as session:
        with pytest.raises(NotFound) as raised:
            customer_view.customer_overview(session, customer_id="cus_nobody")
        assert raised.value.field == "customer"
        with pytest.raises(NotFound):
            customer_view.decision_trace(session, customer="cus_nobody", channel="email", purpose="marketing")


def test_trace_with_known_at_and_choices(db, ann):
    with db.session() as session:
        now = customer_view.decision_trace(
            session, customer=ann, channel="email", purpose="marketing", contact_point="ANN@work.example",
            at=datetime(2025, 5, 15, tzinfo=UTC),
        )  # fmt: skip
        known = customer_view.decision_trace(
            session, customer=ann, channel="email", purpose="marketing", contact_point="ann@work.example",
            at=datetime(2025, 5, 15, tzinfo=UTC), known_at=datetime(2025, 5, 15, tzinfo=UTC),
        )  # fmt: skip
        with pytest.raises(InvalidInput) as raised:
            customer_view.decision_trace(session, customer=ann, channel="fax", purpose="marketing")
    assert (now.decision.reason, now.decision.decided_by.id) == ("opt_out", "p2")
    assert (known.decision.reason, known.decision.decided_by.id) == ("explicit_opt_in", "p1")
    assert any(c.id == "p2" for c in now.decision.considered)
    assert now.choices.contact_points["email"] == ("ann@example.com", "ann@work.example")
    assert "marketing.newsletter" in now.choices.purposes
    assert raised.value.field == "channel"
