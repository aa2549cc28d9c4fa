"""Policy YAML: the reference loads; broken policies are rejected naming the line and the field."""

from __future__ import annotations

import pytest

from consent.durations import parse_duration
from consent.policy_loader import load_policy, reference_text
from consent.vocabulary import REASONS
from consent.yaml_doc import DocumentError

REFERENCE = reference_text()


def broken(old: str, new: str) -> DocumentError:
    assert old in REFERENCE, old
    with pytest.raises(DocumentError) as err:
        load_policy(REFERENCE.replace(old, new, 1))
    return err.value


def line_of(text: str) -> int:
    return REFERENCE[: REFERENCE.index(text)].count("\n") + 1


def test_reference_policy_loads():
    policy = load_policy(REFERENCE)
    assert policy.version == "reference-v1"
    assert policy.ancestors("marketing.newsletter") == ("marketing", "marketing.newsletter")
    assert not policy.requires_consent("transactional")
    assert "NO" in policy.jurisdictions[0].codes and "DE" in policy.jurisdictions[0].codes
    assert policy.entry_for("US-CA").label == "US-*"
    assert policy.entry_for("US").label == "US-*"
    assert policy.entry_for("CA-ON").label == "CA-*"
    assert policy.entry_for("BR") is None
    assert policy.rule_for(policy.entry_for("DE"), "email", "marketing.offers").key == "email.marketing"
    assert policy.jurisdictions[3].rules["sms.marketing"].implied["purchase"].months == 24
    assert policy.channels["sms"].opt_in_sources == frozenset({"product", "marketing"})
    assert "import" not in policy.opt_in.reconsent_methods
    assert len(policy.checksum) == 64


def test_bad_model_names_line_and_field():
    err = broken("email.marketing: {model: opt_out}", "email.marketing: {model: optout}")
    assert err.field == "jurisdictions[2].rules.email.marketing.model"
    assert err.details["line"] == line_of("email.marketing: {model: opt_out}")
    assert "'optout' is not one of opt_in, opt_out" in err.message
    assert f"line {err.details['line']}" in err.message


def test_unknown_key_is_a_typo():
    err = broken("tie_break: restrictive", "tie_brake: restrictive")
    assert err.field == "evaluation.tie_brake"
    assert err.details["line"] == line_of("tie_break: restrictive")


def test_import_can_never_be_a_reconsent_method():
    err = broken("reconsent_methods: [web_form,", "reconsent_methods: [import, web_form,")
    assert err.field == "opt_in.reconsent_methods[0]"
    assert "imports never re-consent" in err.message


def test_bad_duration():
    err = broken("max_snapshot_age: P31D", "max_snapshot_age: 31 days")
    assert err.field.endswith("voice.marketing.dnc.max_snapshot_age")
    assert "ISO 8601 duration" in err.message


def test_rule_for_unknown_channel_or_purpose():
    assert (
        "unknown channel 'fax'"
        in broken("voice.marketing: {model: opt_in}", "fax.marketing: {model: opt_in}").message
    )
    err = broken("sms.marketing:   {model: opt_in}", "sms.promotions:   {model: opt_in}")
    assert "unknown purpose 'promotions'" in err.message


def test_fail_closed_settings_cannot_be_relaxed():
    err = broken("unknown_customer: deny", "unknown_customer: allow")
    assert err.field == "evaluation.unknown_customer" and "fails closed" in err.message


def test_ordering_by_arrival_is_refused():
    assert "captured_at" in broken("order_by: captured_at", "order_by: received_at").message


def test_yaml_syntax_error_names_the_line():
    err = broken("  strategy: ordered_log", "  strategy: [ordered_log")
    assert err.details["line"] is not None
    assert "YAML syntax error" in err.message


def test_duplicate_key():
    err = broken("  tie_break: restrictive", "  tie_break: restrictive\n  tie_break: permissive")
    assert "duplicate key 'tie_break'" in err.message
    assert err.details["line"] == line_of("tie_break: restrictive") + 1


def test_missing_required_section():
    with pytest.raises(DocumentError) as err:
        load_policy("policy: x\nevaluation: {}\npurposes: {}\nchannels: {}\n")
    assert err.value.field == "jurisdictions"


def test_reason_code_list_must_match_the_engine():
    err = broken("soft_opt_in, expired, pending, no_consent]", "soft_opt_in, expired, pending]")
    assert "'no_consent' is missing" in err.message
    assert len(REASONS) == 21


def test_child_purpose_must_be_named_under_its_parent():
    err = broken("children: [marketing.newsletter,", "children: [newsletter,")
    assert err.field == "purposes.marketing.children[0]"


def test_gpc_rule_needs_the_purpose_to_declare_the_signal():
    err = broken("advertising.third_party_sharing: {signals: [gpc]}", "advertising.third_party_sharing: {}")
    assert "does not declare" in err.message


def test_empty_and_non_mapping_documents():
    with pytest.raises(DocumentError):
        load_policy("")
    with pytest.raises(DocumentError) as err:
        load_policy("- just\n- a list\n")
    assert "expected a mapping" in err.value.message


def test_norway_stays_a_country_code():
    assert "NO" in load_policy(REFERENCE).jurisdictions[0].codes


@pytest.mark.parametrize(
    ("text", "months", "days"),
    [("P18M", 18, 0), ("P2Y", 24, 0), ("P31D", 0, 31), ("PT5M", 0, 0), ("P1W", 0, 7)],
)
def test_durations(text, months, days):
    duration = parse_duration(text)
    assert duration.months == months and duration.exact.days == days


def test_month_arithmetic_clamps_to_month_end():
    from datetime import UTC, datetime

    assert parse_duration("P1M").after(datetime(2025, 1, 31, tzinfo=UTC)) == datetime(2025, 2, 28, tzinfo=UTC)
    for bad in ("", "P", "18M", "PT", "P1.5M"):
        with pytest.raises(ValueError):
            parse_duration(bad)
