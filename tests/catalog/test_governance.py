"""Certification, freshness, classification decisions and rules, glossary and the metric pack."""

from datetime import UTC, datetime, timedelta

import pytest

from catalog import ColumnSpec, propagate_classification, record_update, register_dataset
from catalog.certification import certification_history, certify, deprecate, expire_certifications
from catalog.classification.rules import Rule
from catalog.classification.service import (
    active_rules,
    add_rule,
    column_classes,
    decide,
    reclassify,
    suggest_for_columns,
)
from catalog.details import dataset_detail
from catalog.freshness import flag_stale_datasets, set_expected_interval
from catalog.glossary import create_term, get_term, link_term
from catalog.metrics import get_metric, list_metrics, load_metric_pack
from catalog.registry import find_dataset
from core import clock
from core.audit import SYSTEM, Actor
from core.errors import Conflict, Forbidden, InvalidInput
from tests.catalog.conftest import STEWARD

ANALYST = Actor(name="ana", role="analyst", kind="user")
NS = "sqlite:///crm.db"
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _dataset(s, name="contacts", columns=("email", "notes")):
    return register_dataset(
        s,
        namespace=NS,
        name=name,
        columns=[ColumnSpec(c, "TEXT") for c in columns],
        source_system="crm",
        actor=SYSTEM,
    ).id


def test_certification_workflow_and_expiry(db):
    with db.session(write=True) as s, clock.frozen(T0):
        ds, other = _dataset(s), _dataset(s, "contacts_v2")
        with pytest.raises(Forbidden):
            certify(s, dataset_id=ds, note="checked", actor=ANALYST)
        with pytest.raises(InvalidInput) as err:
            certify(s, dataset_id=ds, note=" ", actor=STEWARD)
        assert err.value.field == "note"
        done = certify(
            s,
            dataset_id=ds,
            note="reconciled with billing",
            expires_at=T0 + timedelta(days=30),
            actor=STEWARD,
        )
        assert done.certification == "certified"
        assert expire_certifications(s, T0 + timedelta(days=29)) == []
        assert expire_certifications(s, T0 + timedelta(days=31)) == [ds]
        assert find_dataset(s, namespace=NS, name="contacts").certification_expired
        gone = deprecate(s, dataset_id=ds, note="use v2", replacement_id=other, actor=STEWARD)
        assert gone.certification == "deprecated"
        detail = dataset_detail(s, dataset_id=ds)
        assert detail.certification.replaced_by.id == other
        assert [e.action for e in certification_history(s, subject_id=ds)] == [
            "deprecate",
            "expire",
            "certify",
        ]


def test_freshness_flags_overdue_datasets_and_updates_clear_them(db):
    with db.session(write=True) as s, clock.frozen(T0):
        ds = _dataset(s)
        record_update(s, namespace=NS, name="contacts", at=T0)
        set_expected_interval(s, dataset_id=ds, seconds=86400, actor=STEWARD)
        assert flag_stale_datasets(s, T0 + timedelta(hours=23)) == []
        assert flag_stale_datasets(s, T0 + timedelta(hours=25)) == [ds]
        assert find_dataset(s, namespace=NS, name="contacts").stale
        record_update(s, namespace=NS, name="contacts", at=T0 + timedelta(hours=26))
        assert not find_dataset(s, namespace=NS, name="contacts").stale


def test_rejected_class_is_never_suggested_again(db):
    with db.session(write=True) as s:
        ds = _dataset(s)
        rules = active_rules(s)
        assert suggest_for_columns(s, ds, [("email", ["ada@example.com"] * 5)], rules) == 1
        s.commit()
        decide(
            s,
            dataset_id=ds,
            column="email",
            pii_class="email",
            decision="reject",
            note="test data",
            actor=STEWARD,
        )
        assert suggest_for_columns(s, ds, [("email", ["ada@example.com"] * 5)], rules) == 0
        s.commit()
        assert not propagate_classification(
            s, namespace=NS, name="contacts", column="email", pii_class="email", from_node="x", actor=SYSTEM
        )
        assert propagate_classification(
            s,
            namespace=NS,
            name="contacts",
            column="notes",
            pii_class="person_name",
            from_node="datasetField:a:b:c",
            actor=SYSTEM,
        )
        classes = {(c.column, c.pii_class): c for c in column_classes(s, dataset_id=ds)}
        assert classes[("email", "email")].status == "rejected"
        assert classes[("notes", "person_name")].source == "propagated"
        assert classes[("notes", "person_name")].from_node == "datasetField:a:b:c"


def test_confirmed_class_masks_samples_for_non_pii_roles(db):
    with db.session(write=True) as s:
        ds = _dataset(s)
        from sqlmodel import select

        from catalog.models import CatalogColumn

        col = s.exec(
            select(CatalogColumn).where(CatalogColumn.dataset_id == ds, CatalogColumn.name == "email")
        ).one()
        col.sample = ["ada@example.com"]
        s.add(col)
        s.commit()
        decide(s, dataset_id=ds, column="email", pii_class="email", decision="confirm", actor=STEWARD)
        masked = {c.name: c for c in dataset_detail(s, dataset_id=ds).columns}["email"]
        raw = {c.name: c for c in dataset_detail(s, dataset_id=ds, show_pii=True).columns}["email"]
    assert masked.sample == ["xxx@xxxxxxx.xxx"] and masked.sample_masked
    assert raw.sample == ["ada@example.com"]


def test_custom_rule_with_bad_regex_is_rejected_naming_it(db):
    with db.session(write=True) as s:
        with pytest.raises(InvalidInput) as err:
            add_rule(
                s,
                rule=Rule(name="loyalty.id", pii_class="loyalty_id", value_pattern="LOY[0-9{6}"),
                actor=STEWARD,
            )
        assert err.value.field == "value_pattern" and "loyalty.id" in err.value.message
        with pytest.raises(InvalidInput) as err:
            add_rule(
                s,
                rule=Rule(name="loyalty.id", pii_class="loyalty_id", column_pattern="(", value_pattern="x"),
                actor=STEWARD,
            )
        assert err.value.field == "column_pattern"
        with pytest.raises(Conflict):
            add_rule(
                s, rule=Rule(name="email.address", pii_class="email", column_pattern="mail"), actor=STEWARD
            )
        ds = _dataset(s, columns=("member", "notes"))
        from sqlmodel import select

        from catalog.models import CatalogColumn

        col = s.exec(
            select(CatalogColumn).where(CatalogColumn.dataset_id == ds, CatalogColumn.name == "member")
        ).one()
        col.sample = [f"LOY{i:06d}" for i in range(10)]
        s.add(col)
        s.commit()
        add_rule(
            s,
            rule=Rule(
                name="loyalty.id", pii_class="loyalty_id", value_pattern="LOY[0-9]{6}", min_match_share=0.9
            ),
            actor=STEWARD,
        )
        assert reclassify(s, dataset_ids=[ds], actor=STEWARD) == 1
        assert [(c.column, c.pii_class) for c in column_classes(s, dataset_id=ds)] == [
            ("member", "loyalty_id")
        ]


def test_glossary_links_and_the_metric_pack(db, sample_sources):
    with db.session(write=True) as s:
        term = create_term(s, name="Household", definition="People at one postal address", actor=STEWARD)
        ds = _dataset(s)
        linked = link_term(s, term="household", dataset_id=ds, column="email", actor=STEWARD)
        assert linked.links[0].dataset_id == ds and term.id == linked.id
        result = load_metric_pack(s, pack="customer360", actor=STEWARD)
        assert result.metrics_created >= 10 and result.terms_created >= 8 and result.certified >= 10
        again = load_metric_pack(s, pack="customer360", actor=STEWARD)
        assert (again.metrics_created, again.metrics_updated, again.links_added, again.certified) == (
            0,
            0,
            0,
            0,
        )
        keys = {m.key for m in list_metrics(s)}
        assert {
            "customer_count",
            "active_customers",
            "churn_rate",
            "customer_lifetime_value",
            "average_revenue_per_customer",
            "contactable_share_by_channel",
            "opt_out_rate",
            "consent_coverage",
        } <= keys
        churn = get_metric(s, key="churn_rate")
        assert churn.certification == "certified" and churn.formula and churn.term == "Churned customer"
        assert all(link.dataset_id is None for link in churn.links)  # billing not scanned yet
        register_dataset(
            s, namespace="sqlite:///billing.db", name="purchases", source_system="billing", actor=SYSTEM
        )
        assert any(link.dataset_id for link in get_metric(s, key="churn_rate").links)
        assert get_term(s, term="Customer").links
