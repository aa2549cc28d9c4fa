"""Dashboard aggregates: contactable share per channel and jurisdiction, opt-out trend, arrival lag."""

from datetime import UTC, datetime

import pytest

from consent import stats
from consent.policy_loader import load_policy, reference_text
from core import clock
from identity import service as identity
from tests.consent.conftest import consent, profile

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def loaded(db, ingest):
    with clock.frozen(NOW):
        ingest(
            profile("C1", jurisdiction="DE", emails=["a@example.com"]),
            profile("C2", jurisdiction="DE", emails=["b@example.com"]),
            profile("C3", jurisdiction="US-CA", emails=["c@example.com"]),
            profile("C4", jurisdiction="GB"),
            profile("C5", jurisdiction="US-NY", emails=["e@example.com"]),
            consent("r1", "C1", captured_at="2025-03-01T00:00:00Z", received_at="2025-03-02T00:00:00Z"),
            consent("r2", "C2", status="opt_out", captured_at="2025-04-10T00:00:00Z",
                    received_at="2025-04-10T01:00:00Z"),
            consent("r5", "C5", status="opt_out", scope="person", channel=None,
                    captured_at="2025-05-20T00:00:00Z", received_at="2025-05-22T00:00:00Z"),
            consent("m1", source="marketing", contact_point="a@example.com", captured_at="2025-03-05T00:00:00Z",
                    received_at="2025-03-05T00:01:00Z"),
        )  # fmt: skip
    return db


def test_headline_purposes_are_each_channels_broadest_consent_purpose(db):
    purposes = stats.headline_purposes(load_policy(reference_text()))
    assert purposes == {"email": "marketing", "sms": "marketing", "voice": "marketing", "post": "marketing",
                        "paid_media": "advertising"}  # fmt: skip


def test_contactable_share_per_channel_and_jurisdiction(loaded):
    with loaded.session() as session:
        found = stats.contactability(session)
    email = found.channels["email"]
    assert (email.customers, email.contactable) == (5, 2)  # C1 opted in, C3 under CAN-SPAM's opt-out model
    assert email.percent == pytest.approx(40.0)
    by = {j.jurisdiction: j for j in found.jurisdictions}
    assert found.jurisdictions[0].jurisdiction == "DE"  # the largest first
    assert (by["DE"].any_channel.customers, by["DE"].any_channel.contactable) == (2, 1)
    assert by["US-CA"].channels["email"].contactable == 1
    assert by["GB"].any_channel.contactable == 0 and by["US-NY"].any_channel.contactable == 0
    assert sum(j.any_channel.customers for j in found.jurisdictions) == 5


def test_contactable_on_an_empty_database(db):
    with db.session() as session:
        found = stats.contactability(session)
    assert found.jurisdictions == [] and found.channels["email"].customers == 0
    assert found.channels["email"].percent == 0.0


def test_opt_out_trend_by_capture_month(loaded):
    with clock.frozen(NOW), loaded.session() as session:
        trend = stats.opt_out_trend(session, months=4)
        earlier = stats.opt_out_trend(session, months=2)
    assert trend.months == ["2025-03", "2025-04", "2025-05", "2025-06"]
    assert trend.series == {"email": [0, 1, 0, 0], stats.PERSON_WIDE: [0, 0, 1, 0]}
    assert trend.total == 2
    assert earlier.series == {stats.PERSON_WIDE: [1, 0]}


def test_month_labels_cross_years():
    assert stats.month_labels(datetime(2025, 2, 3, tzinfo=UTC), 4) == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]


def test_arrivals_count_and_nearest_rank_lag_per_source(loaded):
    with loaded.session() as session:
        everything = {a.source: a for a in stats.arrivals(session)}
        recent = {a.source: a for a in stats.arrivals(session, since=datetime(2025, 4, 1, tzinfo=UTC))}
    crm = everything["crm"]
    assert crm.records == 3
    assert (crm.median_lag_seconds, crm.p90_lag_seconds) == (86400, 172800)
    assert crm.latest_received_at == datetime(2025, 5, 22, tzinfo=UTC)
    assert (everything["marketing"].records, everything["marketing"].median_lag_seconds) == (1, 60)
    assert set(recent) == {"crm"}
    assert (recent["crm"].records, recent["crm"].median_lag_seconds, recent["crm"].p90_lag_seconds) == (
        2,
        3600,
        172800,
    )


def test_aggregates_follow_merges(loaded, ingest):
    # C6 arrives with C1's email: one customer, still counted once.
    with clock.frozen(NOW):
        ingest(
            profile("C6", jurisdiction="DE", emails=["a@example.com"], first_name="Ann", last_name="PersonC1")
        )
    with loaded.session() as session:
        assert identity.resolve(session, source_key="crm:C6") == identity.resolve(
            session, source_key="crm:C1"
        )
        assert stats.contactability(session).channels["email"].customers == 5
