"""Bad input, crosswalk import, attached contact points, one transaction across calls, rule changes."""

import pytest
import sqlalchemy as sa

from core.audit import SYSTEM
from core.errors import InvalidInput, NotFound
from identity.rules import load_rules
from identity.service import (
    add_contact_point,
    ensure_customer,
    get_customer,
    import_crosswalk,
    parse_crosswalk_csv,
    rebuild,
    resolve,
    upsert_source_records,
)
from tests.identity.conftest import rec


def count(session, table):
    return session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (rec("crm", "C3", last_name="X", phones=("4155550100", "not a phone")), "records[2].phones[1]"),
        (rec("crm", "C3", last_name="X", emails="no-at-sign"), "records[2].emails[0]"),
        (rec("crm", "", last_name="X"), "records[2].source_key"),
        (rec("CRM system!", "C3"), "records[2].source_system"),
        (rec("crm", "C3", country="Germany"), "records[2].country"),
        (rec("crm", "C3", jurisdiction="California"), "records[2].jurisdiction"),
        (rec("crm", "C3", observed_at="yesterday"), "records[2].observed_at"),
    ],
)
def test_a_bad_record_rejects_the_batch_and_stores_nothing(session, upsert, bad, field):
    good = [rec("crm", "C1", last_name="A", emails="a@example.com"), rec("crm", "C2", last_name="B")]
    with pytest.raises(InvalidInput) as err:
        upsert(*good, bad)
    assert err.value.field == field
    session.rollback()
    assert count(session, "id_source_record") == 0
    assert count(session, "id_customer") == 0
    assert count(session, "audit_log") == 0


def test_lenient_mode_drops_bad_values_and_reports_them(upsert):
    result = upsert(
        rec("crm", "C1", last_name="A", emails=("a@example.com", "broken"), phones="??"),
        rec("crm", "", last_name="B"),
        on_invalid="drop",
    )
    assert result.inserted == 1
    assert [r.field for r in result.rejected] == [
        "records[0].emails[1]",
        "records[0].phones[0]",
        "records[1].source_key",
    ]


def test_crosswalk_assigns_given_ids_instead_of_matching(session, upsert):
    matched = upsert(
        rec("crm", "C1", last_name="Lee", emails="lee@example.com"),
        rec("billing", "B1", last_name="Lee", emails="lee@example.com"),
    ).keys
    old = matched["crm", "C1"]
    rows = parse_crosswalk_csv(
        "source_system,source_key,customer_id\ncrm,C1,MDM-1\nbilling,B1,MDM-1\nproduct,P9,MDM-2\n"
    )
    result = import_crosswalk(session, rows=rows, actor=SYSTEM)
    assert (result.rows, result.assigned, result.pending, result.customers_created) == (3, 2, 1, 2)
    assert resolve(session, source_key="crm:C1") == ["MDM-1"]
    assert resolve(session, customer_id=old) == ["MDM-1"]  # the emptied matched id redirects
    assert resolve(session, source_key="product:P9") == ["MDM-2"]  # known before the record arrives
    # The record arriving later lands on the crosswalk id even though its email matches MDM-1's records.
    later = upsert(rec("product", "P9", last_name="Lee", emails="lee@example.com"))
    assert later.keys["product", "P9"] == "MDM-2"
    assert import_crosswalk(session, rows=rows, actor=SYSTEM).unchanged == 3
    customer = get_customer(session, customer_id="MDM-1")
    assert customer.origin == "crosswalk" and all(s.pinned for s in customer.source_records)


def test_crosswalk_rows_are_validated_all_or_nothing(session):
    with pytest.raises(InvalidInput) as err:
        import_crosswalk(session, rows=[("crm", "C1", "X1"), ("crm", "C2", "bad id!")], actor=SYSTEM)
    assert err.value.field == "rows[1].customer_id"
    with pytest.raises(InvalidInput) as err:
        import_crosswalk(session, rows=[("crm", "C1", "X1"), ("crm", "C1", "X2")], actor=SYSTEM)
    assert err.value.field == "rows[1].customer_id"
    with pytest.raises(InvalidInput) as err:
        parse_crosswalk_csv("system,key,id\ncrm,C1,X\n")
    assert err.value.field == "line 1"
    session.rollback()
    assert count(session, "id_crosswalk") == 0


def test_attached_contact_point_matches_and_survives_new_versions(session, upsert):
    keys = upsert(
        rec("crm", "C1", first_name="Eva", last_name="Novak", emails="eva@example.com"),
        rec("product", "P1", full_name="Eva Novak", phones="+1 303 555 0123"),
    ).keys
    assert keys["crm", "C1"] != keys["product", "P1"]
    value = add_contact_point(
        session, source_key="crm:C1", kind="phone", value="303-555-0123", source="consent", actor=SYSTEM
    )
    assert value == "+13035550123"
    assert resolve(session, source_key="product:P1") == [keys["crm", "C1"]]
    upsert(rec("crm", "C1", first_name="Eva", last_name="Novak", emails="eva@new.example"))
    assert resolve(session, phone=value) == [keys["crm", "C1"]]
    direct = add_contact_point(
        session,
        customer_id=keys["crm", "C1"],
        kind="email",
        value="EVA@Work.example",
        source="consent",
        actor=SYSTEM,
    )
    assert resolve(session, email=direct) == [keys["crm", "C1"]]
    assert (
        add_contact_point(
            session,
            customer_id=keys["crm", "C1"],
            kind="email",
            value="eva@work.example",
            source="consent",
            actor=SYSTEM,
        )
        == direct
    )
    with pytest.raises(NotFound):
        add_contact_point(
            session, source_key="crm:missing", kind="email", value="x@y.co", source="consent", actor=SYSTEM
        )


def test_external_id_registration(session):
    assert ensure_customer(session, customer_id="MDM-77", actor=SYSTEM) == "MDM-77"
    assert resolve(session, customer_id="MDM-77") == ["MDM-77"]
    assert ensure_customer(session, customer_id="MDM-77", actor=SYSTEM) == "MDM-77"


def test_commit_false_lets_the_caller_roll_everything_back(session):
    upsert_source_records(session, records=[rec("crm", "C1", last_name="Lee")], actor=SYSTEM, commit=False)
    session.rollback()
    assert count(session, "id_source_record") == 0 and count(session, "audit_log") == 0


def test_rebuild_with_new_rules_merges_and_keeps_older_ids(session, upsert):
    keys = upsert(
        rec("crm", "C1", first_name="Tom", last_name="Hart", phones="+1 512 555 0100"),
        rec("billing", "B1", full_name="Tom Hart", phones="512 555 0100", country="US"),
    ).keys
    assert keys["crm", "C1"] == keys["billing", "B1"]
    email_only = load_rules({"version": "email-only", "rules": [{"name": "same_email", "kind": "email"}]})
    split = rebuild(session, actor=SYSTEM, rules=email_only)
    assert split.split == 1 and split.rules_version == "email-only"
    assert resolve(session, source_key="crm:C1") == [keys["crm", "C1"]]
    assert resolve(session, source_key="billing:B1") != [keys["crm", "C1"]]
    back = rebuild(session, actor=SYSTEM, rules=load_rules())
    assert back.merged == 1
    assert resolve(session, source_key="billing:B1") == [keys["crm", "C1"]]
