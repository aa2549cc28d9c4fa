"""Voice do-not-call (internal list, national registry, EBR) and Global Privacy Control (pure evaluator)."""

from __future__ import annotations

from datetime import timedelta

from consent.durations import parse_duration
from consent.evaluator import decide
from tests.consent.builders import (
    NOW,
    PHONE,
    PHONE2,
    REFERENCE,
    customer,
    dnc_request,
    gpc,
    rec,
    registry,
    relationship,
)

FRESH = NOW - timedelta(days=3)


def voice(facts, purpose="marketing", cp=PHONE, at=NOW):
    return decide(facts, REFERENCE, channel="voice", purpose=purpose, contact_point=cp, at=at)


def us(**facts):
    facts.setdefault("registry_snapshots", [registry((), at=FRESH)])
    return customer("US-TX", phones=(PHONE, PHONE2), **facts)


class TestRegistry:
    def test_unlisted_number_with_fresh_snapshot_is_allowed_by_default(self):
        result = voice(us())
        assert (result.allowed, result.reason) == (True, "nonrestrictive_default")
        assert result.valid_until == FRESH + timedelta(days=31)

    def test_missing_or_stale_snapshot_blocks_voice(self):
        assert voice(us(registry_snapshots=[])).reason == "registry_stale"
        stale = voice(us(registry_snapshots=[registry((), at=NOW - timedelta(days=32))]))
        assert (stale.reason, stale.decided_by.kind) == ("registry_stale", "registry_snapshot")

    def test_newest_snapshot_at_the_query_instant_is_used(self):
        old = registry((PHONE,), at=NOW - timedelta(days=40))
        new = registry((), at=FRESH)
        assert voice(us(registry_snapshots=[old, new])).reason == "nonrestrictive_default"
        assert voice(us(registry_snapshots=[old, new]), at=NOW - timedelta(days=20)).reason == "dnc_registry"

    def test_listed_number_is_denied_without_exemption(self):
        result = voice(us(registry_snapshots=[registry((PHONE,), at=FRESH)]))
        assert (result.allowed, result.reason) == (False, "dnc_registry")
        assert voice(us(registry_snapshots=[registry((PHONE,), at=FRESH)]), cp=PHONE2).allowed

    def test_listed_number_with_evidenced_opt_in(self):
        facts = us(
            registry_snapshots=[registry((PHONE,), at=FRESH)], consents=[rec("opt_in", channel="voice")]
        )
        assert voice(facts).reason == "explicit_opt_in"

    def test_transactional_calls_skip_the_registry(self):
        assert voice(us(registry_snapshots=[]), purpose="transactional").reason == "transactional"


class TestEstablishedBusinessRelationship:
    def listed(self, *relationships, requests=()):
        return us(
            registry_snapshots=[registry((PHONE,), at=FRESH)],
            relationships=list(relationships),
            dnc_requests=list(requests),
        )

    def test_purchase_window_is_18_months(self):
        assert voice(self.listed(relationship("purchase", NOW - timedelta(days=500)))).reason == "ebr"
        assert (
            voice(self.listed(relationship("purchase", NOW - timedelta(days=560)))).reason == "dnc_registry"
        )

    def test_inquiry_window_is_3_months(self):
        live = voice(self.listed(relationship("inquiry", NOW - timedelta(days=60))))
        assert (live.reason, live.decided_by.kind) == ("ebr", "relationship")
        assert live.valid_until == FRESH + timedelta(days=31)  # the snapshot goes stale before the EBR ends
        ending = NOW - timedelta(days=80)
        assert voice(self.listed(relationship("inquiry", ending))).valid_until == parse_duration("P3M").after(
            ending
        )
        assert voice(self.listed(relationship("inquiry", NOW - timedelta(days=100)))).reason == "dnc_registry"

    def test_company_dnc_request_ends_the_ebr(self):
        purchase = relationship("purchase", NOW - timedelta(days=100))
        request_on_other_number = dnc_request(PHONE2, at=NOW - timedelta(days=50))
        result = voice(self.listed(purchase, requests=[request_on_other_number]))
        assert result.reason == "dnc_registry"
        assert any("EBR ended" in c.effect for c in result.considered)
        # A purchase after the request starts a new relationship.
        again = relationship("purchase", NOW - timedelta(days=10))
        assert voice(self.listed(purchase, again, requests=[request_on_other_number])).reason == "ebr"


class TestInternalDoNotCall:
    def test_request_on_the_number_blocks_calls_even_with_opt_in(self):
        facts = us(dnc_requests=[dnc_request(PHONE)], consents=[rec("opt_in", channel="voice")])
        result = voice(facts)
        assert (result.allowed, result.reason) == (False, "internal_dnc")
        assert voice(facts, cp=PHONE2).allowed

    def test_request_from_a_household_member_blocks_the_shared_number(self):
        facts = us(dnc_requests=[dnc_request(PHONE, own=False)])
        assert voice(facts).reason == "internal_dnc"

    def test_do_not_text_request_blocks_sms_not_voice(self):
        facts = us(
            dnc_requests=[dnc_request(PHONE, channel="sms")],
            consents=[rec("opt_in", channel="sms", source="product")],
        )
        assert (
            decide(facts, REFERENCE, channel="sms", purpose="marketing", contact_point=PHONE, at=NOW).reason
            == "internal_dnc"
        )
        assert voice(facts).allowed

    def test_internal_list_applies_outside_the_us(self):
        facts = customer("DE", dnc_requests=[dnc_request(PHONE)], consents=[rec("opt_in", channel="voice")])
        assert voice(facts).reason == "internal_dnc"


class TestGlobalPrivacyControl:
    PURPOSE = "advertising.third_party_sharing"

    def paid(self, facts):
        return decide(facts, REFERENCE, channel="paid_media", purpose=self.PURPOSE, at=NOW)

    def test_gpc_is_honoured_in_california(self):
        result = self.paid(customer("US-CA", gpc_signals=[gpc(NOW - timedelta(days=5))]))
        assert (result.allowed, result.reason, result.decided_by.kind) == (False, "gpc", "gpc_signal")

    def test_gpc_not_honoured_where_the_rule_does_not_say_so(self):
        assert (
            self.paid(customer("US-TX", gpc_signals=[gpc(NOW - timedelta(days=5))])).reason
            == "nonrestrictive_default"
        )

    def test_newer_acknowledged_opt_in_overrides_gpc(self):
        ack = {"capture_source": "privacy_center", "gpc_conflict_acknowledged": True}
        newer = rec(
            "opt_in", at=NOW - timedelta(days=1), channel="paid_media", purpose=self.PURPOSE, evidence=ack
        )
        facts = customer("US-CA", gpc_signals=[gpc(NOW - timedelta(days=5))], consents=[newer])
        result = self.paid(facts)
        assert (result.allowed, result.reason) == (True, "explicit_opt_in")
        assert any("overridden" in c.effect for c in result.considered)

    def test_unacknowledged_or_older_opt_in_does_not_override(self):
        plain = rec("opt_in", at=NOW - timedelta(days=1), channel="paid_media", purpose=self.PURPOSE)
        assert (
            self.paid(customer("US-CA", gpc_signals=[gpc(NOW - timedelta(days=5))], consents=[plain])).reason
            == "gpc"
        )
        ack = {"capture_source": "privacy_center", "gpc_conflict_acknowledged": True}
        older = rec(
            "opt_in", at=NOW - timedelta(days=9), channel="paid_media", purpose=self.PURPOSE, evidence=ack
        )
        assert (
            self.paid(customer("US-CA", gpc_signals=[gpc(NOW - timedelta(days=5))], consents=[older])).reason
            == "gpc"
        )
