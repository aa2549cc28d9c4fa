"""The reference policy's rule families, one scenario family at a time (pure evaluator, no database)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consent.evaluator import decide
from consent.policy_loader import load_policy, reference_text
from core.errors import InvalidInput
from tests.consent.builders import (
    EMAIL,
    EMAIL2,
    NOW,
    REFERENCE,
    customer,
    day,
    rec,
    registry,
    relationship,
    suppression,
)


def d(facts, channel="email", purpose="marketing", cp=None, at=NOW, policy=REFERENCE, known_at=None):
    return decide(facts, policy, channel=channel, purpose=purpose, contact_point=cp, at=at, known_at=known_at)


def test_unknown_customer_is_denied():
    result = d(None)
    assert (result.allowed, result.reason, result.customer_id) == (False, "unknown_customer", None)


def test_no_contact_point_for_the_channel():
    assert d(customer(phones=()), channel="sms").reason == "no_contact_point"
    other = d(customer(), cp="someone@else.com")
    assert (other.allowed, other.reason) == (False, "no_contact_point")
    assert "not one of the customer's" in other.considered[0].effect


def test_unknown_channel_or_purpose_names_the_field():
    with pytest.raises(InvalidInput) as err:
        d(customer(), channel="pigeon")
    assert err.value.field == "channel"
    with pytest.raises(InvalidInput) as err:
        d(customer(), purpose="marketing.spam")
    assert err.value.field == "purpose"


class TestConflictsAndOrdering:
    def test_later_opt_out_from_another_system_wins(self):
        facts = customer(
            consents=[rec("opt_in", at=day(1), source="crm"), rec("opt_out", at=day(2), source="marketing")]
        )
        result = d(facts)
        assert (result.allowed, result.reason, result.decided_by.source) == (False, "opt_out", "marketing")

    def test_out_of_order_arrival_uses_captured_at(self):
        # The opt-in happened first but arrived last: arrival order does not matter.
        late_opt_in = rec("opt_in", at=day(1), source="crm", received=day(30))
        opt_out = rec("opt_out", at=day(2), source="marketing", received=day(3))
        assert d(customer(consents=[opt_out, late_opt_in])).reason == "opt_out"
        assert d(customer(consents=[late_opt_in, opt_out])).reason == "opt_out"

    def test_equal_timestamps_break_restrictive(self):
        facts = customer(
            consents=[rec("opt_out", at=day(1), source="a"), rec("opt_in", at=day(1), source="b")]
        )
        assert d(facts).reason == "opt_out"

    def test_records_after_the_query_instant_are_ignored_and_bound_validity(self):
        facts = customer(consents=[rec("opt_in", at=day(1)), rec("opt_out", at=day(10))])
        before = d(facts, at=day(5))
        assert (before.allowed, before.reason, before.valid_until) == (True, "explicit_opt_in", day(10))
        assert any("captured after" in c.effect for c in before.considered)
        assert d(facts, at=day(11)).reason == "opt_out"

    def test_known_at_answers_what_concord_knew(self):
        opt_out = rec("opt_out", at=day(2), received=day(20))
        facts = customer(consents=[rec("opt_in", at=day(1)), opt_out])
        assert d(facts, at=day(25)).reason == "opt_out"
        assert d(facts, at=day(25), known_at=day(10)).reason == "explicit_opt_in"


class TestClockSkewAndStickyOptOut:
    def test_opt_in_inside_skew_window_from_another_source_is_ignored(self):
        opt_out = rec("opt_out", at=day(1), source="crm")
        quick = rec("opt_in", at=day(1) + timedelta(minutes=3), source="marketing")
        result = d(customer(consents=[opt_out, quick]))
        assert result.reason == "opt_out"
        assert any("clock-skew" in c.effect for c in result.considered)

    def test_a_second_opt_out_does_not_reopen_the_skew_window(self):
        # crm opt-out, then marketing's own opt-out, then marketing's opt-in 3 minutes after crm's:
        # still inside crm's window, so adding marketing's opt-out must not let the opt-in through.
        records = [
            rec("opt_out", at=day(1), source="crm"),
            rec("opt_out", at=day(1) + timedelta(minutes=1), source="marketing"),
            rec("opt_in", at=day(1) + timedelta(minutes=3), source="marketing"),
        ]
        assert d(customer(consents=records)).reason == "opt_out"

    def test_same_source_inside_window_or_other_source_after_window_counts(self):
        opt_out = rec("opt_out", at=day(1), source="crm")
        same = rec("opt_in", at=day(1) + timedelta(minutes=3), source="crm")
        later = rec("opt_in", at=day(1) + timedelta(minutes=6), source="marketing")
        assert d(customer(consents=[opt_out, same])).reason == "explicit_opt_in"
        assert d(customer(consents=[opt_out, later])).reason == "explicit_opt_in"

    @pytest.mark.parametrize("method", ["import", "sales_rep_entry", "in_app_toggle"])
    def test_opt_out_is_sticky_against_non_reconsent_methods(self, method):
        facts = customer(consents=[rec("opt_out", at=day(1)), rec("opt_in", at=day(5), method=method)])
        result = d(facts)
        assert result.reason == "opt_out"
        assert any("cannot re-consent" in c.effect for c in result.considered)

    @pytest.mark.parametrize("method", ["double_opt_in_confirmed", "preference_center", "written_signed"])
    def test_explicit_reconsent_lifts_the_opt_out(self, method):
        facts = customer(consents=[rec("opt_out", at=day(1)), rec("opt_in", at=day(5), method=method)])
        result = d(facts)
        assert (result.allowed, result.reason) == (True, "explicit_opt_in")
        assert result.decided_by.method == method

    def test_an_import_may_grant_a_first_consent(self):
        assert d(customer(consents=[rec("opt_in", method="import")])).reason == "explicit_opt_in"


class TestScopesAndContactPoints:
    def test_two_emails_one_opted_out(self):
        facts = customer(
            emails=(EMAIL, EMAIL2),
            consents=[rec("opt_in", at=day(1)), rec("opt_out", at=day(2), cp=EMAIL, own=None)],
        )
        assert d(facts, cp=EMAIL).reason == "opt_out"
        assert d(facts, cp=EMAIL2).reason == "explicit_opt_in"
        best = d(facts)
        assert (best.allowed, best.contact_point) == (True, EMAIL2)

    def test_shared_address_record_of_another_customer_applies_globally(self):
        # The household member opted the shared address out; keyed by the address, it binds everyone.
        facts = customer(consents=[rec("opt_in", at=day(1)), rec("opt_out", at=day(2), cp=EMAIL, own=False)])
        assert d(facts).reason == "opt_out"
        per_customer = load_policy(
            reference_text().replace("contact_point_keying: global", "contact_point_keying: customer")
        )
        assert d(facts, policy=per_customer).reason == "explicit_opt_in"

    def test_person_scope_opt_out_covers_every_channel(self):
        facts = customer(
            consents=[
                rec("opt_in", at=day(1), channel="sms", source="product"),
                rec("opt_out", at=day(2), scope="person"),
            ]
        )
        assert d(facts, channel="sms").reason == "opt_out"
        assert d(facts, channel="email").reason == "opt_out"

    def test_channel_records_stay_on_their_channel(self):
        facts = customer(consents=[rec("opt_out", at=day(1), channel="sms")])
        assert d(facts, channel="email", purpose="marketing").reason == "no_consent"

    def test_parent_opt_out_denies_children_and_child_opt_in_does_not_lift_parent(self):
        facts = customer(
            consents=[rec("opt_out", at=day(1)), rec("opt_in", at=day(2), purpose="marketing.newsletter")]
        )
        assert d(facts, purpose="marketing.newsletter").reason == "opt_out"
        only_child = customer(consents=[rec("opt_in", at=day(2), purpose="marketing.newsletter")])
        assert d(only_child, purpose="marketing.newsletter").reason == "explicit_opt_in"
        assert d(only_child, purpose="marketing").reason == "no_consent"
        assert d(only_child, purpose="marketing.offers").reason == "no_consent"


class TestTransactionalAndSuppression:
    def test_transactional_needs_no_consent_but_marketing_does(self):
        facts = customer(consents=[rec("opt_out", at=day(1))])
        assert d(facts, purpose="transactional").reason == "transactional"
        assert d(facts, purpose="marketing").reason == "opt_out"

    def test_spam_complaint_blocks_everything_on_the_address_even_an_opt_in(self):
        facts = customer(
            suppressions=[suppression("spam_complaint", EMAIL, at=day(1))], consents=[rec(at=day(5))]
        )
        for purpose in ("marketing", "transactional"):
            result = d(facts, purpose=purpose)
            assert (result.allowed, result.reason, result.decided_by.kind) == (
                False,
                "suppressed",
                "suppression",
            )

    def test_hard_bounce_expires(self):
        facts = customer(
            "US-NY", suppressions=[suppression("hard_bounce", EMAIL, at=day(1), expires=day(181))]
        )
        during = d(facts, at=day(100))
        assert (during.reason, during.valid_until) == ("suppressed", day(181))
        assert d(facts, at=day(200)).reason == "nonrestrictive_default"

    def test_soft_bounce_is_not_a_block(self):
        facts = customer("US-NY", suppressions=[suppression("soft_bounce", EMAIL)])
        assert d(facts).allowed

    def test_person_wide_do_not_solicit_blocks_marketing_not_transactional(self):
        facts = customer("US-NY", suppressions=[suppression("do_not_solicit", None)])
        assert d(facts, channel="sms", purpose="marketing.offers").reason == "suppressed"
        assert d(facts, purpose="transactional").reason == "transactional"


class TestOptInQuality:
    def test_expired_opt_in(self):
        facts = customer(consents=[rec("opt_in", at=day(1), expires=day(100))])
        before = d(facts, at=day(50))
        assert (before.reason, before.valid_until) == ("explicit_opt_in", day(100))
        assert d(facts, at=day(150)).reason == "expired"

    def test_pending_double_opt_in(self):
        pending = rec("pending", at=day(1))
        assert d(customer(consents=[pending])).reason == "pending"
        confirmed = rec("opt_in", at=day(2), method="double_opt_in_confirmed")
        assert d(customer(consents=[pending, confirmed])).reason == "explicit_opt_in"
        # Re-submitting a form must not reset a confirmed opt-in.
        assert d(customer(consents=[confirmed, rec("pending", at=day(3))])).reason == "explicit_opt_in"

    def test_sms_opt_in_only_from_authoritative_sources(self):
        crm = customer(consents=[rec("opt_in", channel="sms", source="crm")])
        assert d(crm, channel="sms").reason == "non_authoritative_source"
        app = customer(consents=[rec("opt_in", channel="sms", source="product")])
        assert d(app, channel="sms").reason == "explicit_opt_in"

    def test_opt_in_without_evidence(self):
        facts = customer(consents=[rec("opt_in", evidence={"ip": "1.2.3.4"})])
        result = d(facts)
        assert (result.allowed, result.reason) == (False, "missing_evidence")

    def test_unevidenced_opt_in_does_not_deny_under_an_opt_out_model(self):
        facts = customer("US-TX", consents=[rec("opt_in", evidence=None)])
        assert d(facts).reason == "nonrestrictive_default"


class TestJurisdictionModels:
    def test_opt_out_model_allows_by_default(self):
        result = d(customer("US-NY"))
        assert (result.allowed, result.reason, result.decided_by) == (True, "nonrestrictive_default", None)
        assert result.rule == "jurisdictions[2].rules.email.marketing"

    @pytest.mark.parametrize("jurisdiction", ["BR", None, ""])
    def test_unknown_jurisdiction(self, jurisdiction):
        assert d(customer(jurisdiction, consents=[rec()])).reason == "unknown_jurisdiction"

    def test_no_rule_for_channel_in_jurisdiction_fails_closed(self):
        facts = customer("US-NY", postal=("1 Main St, Springfield",))
        assert d(facts, channel="post").reason == "unknown_jurisdiction"

    def test_objection_denies_the_purpose_everywhere(self):
        objection = rec("objection", at=day(1), scope="person", method="agent_recorded")
        facts = customer(
            "US-NY", consents=[objection], registry_snapshots=[registry((), at=NOW - timedelta(days=3))]
        )
        for channel in ("email", "sms", "voice"):
            assert d(facts, channel=channel, purpose="marketing.offers").reason == "objection"

    def test_casl_implied_consent_windows(self):
        assert d(customer("CA-ON", relationships=[relationship("purchase", day(0))]), at=day(365)).reason == (
            "implied_consent"
        )
        lapsed = d(customer("CA-ON", relationships=[relationship("purchase", day(0))]), at=day(800))
        assert (lapsed.allowed, lapsed.reason) == (False, "expired")
        inquiry = customer("CA-QC", relationships=[relationship("inquiry", day(0))])
        live = d(inquiry, at=day(150))
        assert (live.reason, live.valid_until) == ("implied_consent", day(0).replace(month=9))
        assert d(inquiry, at=day(200)).reason == "expired"
        assert d(customer("CA-ON"), at=day(1)).reason == "no_consent"

    def test_casl_opt_out_beats_implied_consent(self):
        facts = customer(
            "CA-ON", relationships=[relationship("purchase", day(0))], consents=[rec("opt_out", at=day(5))]
        )
        assert d(facts, at=day(10)).reason == "opt_out"

    def test_uk_soft_opt_in(self):
        with_notice = customer("GB", relationships=[relationship("purchase", day(0), notice=True)])
        assert d(with_notice, purpose="marketing.offers").reason == "soft_opt_in"
        assert d(with_notice, channel="sms", purpose="marketing").reason == "soft_opt_in"
        assert d(with_notice, purpose="marketing.partner_offers").reason == "no_consent"
        assert d(with_notice, channel="voice").reason == "no_consent"
        without = customer("GB", relationships=[relationship("purchase", day(0), notice=False)])
        assert d(without, purpose="marketing.offers").reason == "no_consent"
        opted_out = customer(
            "GB",
            relationships=[relationship("purchase", day(0), notice=True)],
            consents=[rec("opt_out", at=day(3))],
        )
        assert d(opted_out).reason == "opt_out"

    def test_eu_needs_explicit_opt_in(self):
        assert d(customer("FR")).reason == "no_consent"
        assert d(customer("NO", consents=[rec()])).reason == "explicit_opt_in"  # EEA, not the YAML boolean


def test_decision_carries_its_lineage():
    facts = customer(consents=[rec("opt_in", at=day(1), id="pref-1", source="crm")])
    result = d(facts)
    assert result.policy_version == "reference-v1"
    assert result.as_of == NOW
    assert result.decided_by.id == "pref-1"
    assert result.decided_by.evidence["capture_source"] == "signup_form"
    assert [c.kind for c in result.considered] == ["rule", "consent"]


@pytest.mark.parametrize(
    ("strategy", "extra", "reason"),
    [
        ("ordered_log", "", "opt_out"),  # the import cannot lift crm's opt-out
        ("most_recent", "", "explicit_opt_in"),  # the last record wins, whatever its method
        ("most_restrictive", "", "opt_out"),
        ("source_priority", "\n  source_rank: [marketing, crm]", "explicit_opt_in"),
        ("status_priority", "", "opt_out"),
    ],
)
def test_alternative_strategies(strategy, extra, reason):
    text = reference_text().replace("strategy: ordered_log", f"strategy: {strategy}{extra}")
    policy = load_policy(text)
    assert policy.evaluation.strategy == strategy
    facts = customer(
        consents=[
            rec("opt_out", at=day(1), source="crm"),
            rec("opt_in", at=day(3), source="marketing", method="import"),
        ]
    )
    assert d(facts, policy=policy).reason == reason
