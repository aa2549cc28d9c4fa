"""The dataset registry: the interface the lineage package calls."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from catalog import (
    ColumnSpec,
    add_alias,
    dataset_owners,
    find_dataset,
    mark_dropped,
    record_update,
    register_dataset,
)
from catalog.models import CatalogColumn
from catalog.versions import compare_versions, schema_history
from core import audit
from core.audit import SYSTEM
from core.errors import Conflict, InvalidInput, NotFound

NS = "postgres://warehouse:5432"
COLS = [ColumnSpec("id", "INTEGER"), ColumnSpec("email", "TEXT", "Contact e-mail")]


def test_register_creates_then_updates_without_new_version(db):
    with db.session(write=True) as s:
        first = register_dataset(s, namespace=NS, name="crm.public.contacts", columns=COLS, actor=SYSTEM)
        again = register_dataset(s, namespace=NS, name="crm.public.contacts", columns=COLS, actor=SYSTEM)
        found = find_dataset(s, namespace=NS, name="crm.public.contacts")
    assert first.created and first.new_version == 1
    assert not again.created and again.new_version is None and again.id == first.id
    assert found.current_version == 1 and found.node_id == f"dataset:{NS}:crm.public.contacts"


def test_changed_columns_make_a_new_version_with_the_diff(db):
    with db.session(write=True) as s:
        ds = register_dataset(s, namespace=NS, name="t", columns=COLS, actor=SYSTEM)
        changed = [ColumnSpec("id", "BIGINT"), ColumnSpec("phone", "TEXT")]
        v2 = register_dataset(s, namespace=NS, name="t", columns=changed, actor=SYSTEM)
        history = schema_history(s, dataset_id=ds.id)
        between = compare_versions(s, dataset_id=ds.id, from_version=1, to_version=2)
        names = set(s.exec(select(CatalogColumn.name).where(CatalogColumn.dataset_id == ds.id)))
    assert v2.new_version == 2
    assert [h.version for h in history] == [2, 1]
    assert history[0].changes["added"] == ["phone"] and history[0].changes["removed"] == ["email"]
    assert history[0].changes["changed"] == [{"name": "id", "from": "INTEGER", "to": "BIGINT"}]
    assert between["added"] == ["phone"]
    assert names == {"id", "phone"}


def test_unknown_types_and_none_columns_keep_the_schema(db):
    with db.session(write=True) as s:
        register_dataset(s, namespace=NS, name="t", columns=COLS, actor=SYSTEM)
        untyped = register_dataset(
            s, namespace=NS, name="t", columns=[ColumnSpec("id"), ColumnSpec("email")], actor=SYSTEM
        )
        no_schema = register_dataset(s, namespace=NS, name="t", columns=None, description="x", actor=SYSTEM)
    assert untyped.new_version is None and no_schema.new_version is None


def test_reorder_is_a_new_version_marked_reordered(db):
    with db.session(write=True) as s:
        ds = register_dataset(s, namespace=NS, name="t", columns=COLS, actor=SYSTEM)
        register_dataset(s, namespace=NS, name="t", columns=list(reversed(COLS)), actor=SYSTEM)
        latest = schema_history(s, dataset_id=ds.id)[0]
    assert latest.changes["reordered"] and not latest.changes["added"]


def test_owners_from_a_source_replace_only_that_sources_owners(db):
    with db.session(write=True) as s:
        register_dataset(
            s, namespace=NS, name="t", owners=[("team:crm", "owner")], origin="scan", actor=SYSTEM
        )
        register_dataset(s, namespace=NS, name="t", owners=[("ada", "MAINTAINER")], actor=SYSTEM)
        register_dataset(s, namespace=NS, name="t", owners=[("user:bob", "maintainer")], actor=SYSTEM)
        owners = dataset_owners(s, namespace=NS, name="t")
    assert [(o.name, o.kind, o.role) for o in owners] == [
        ("team:crm", "team", "owner"),
        ("user:bob", "user", "maintainer"),
    ]


def test_alias_resolves_to_one_entry(db):
    with db.session(write=True) as s:
        ds = register_dataset(s, namespace=NS, name="crm.public.contacts", actor=SYSTEM)
        add_alias(
            s,
            namespace=NS,
            name="crm.public.contacts",
            alias_namespace="hive://metastore",
            alias_name="crm.contacts",
        )
        again = register_dataset(s, namespace="hive://metastore", name="crm.contacts", actor=SYSTEM)
        assert find_dataset(s, namespace="hive://metastore", name="crm.contacts").id == ds.id
        assert again.id == ds.id and not again.created
        register_dataset(s, namespace=NS, name="other", actor=SYSTEM)
        with pytest.raises(Conflict):
            add_alias(s, namespace=NS, name="crm.public.contacts", alias_namespace=NS, alias_name="other")


def test_record_update_never_goes_backwards_and_drop_marks(db):
    t1, t2 = datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    with db.session(write=True) as s:
        register_dataset(s, namespace=NS, name="t", actor=SYSTEM)
        record_update(s, namespace=NS, name="t", at=t1, row_count=10)
        record_update(s, namespace=NS, name="t", at=t2, row_count=5)
        assert find_dataset(s, namespace=NS, name="t").last_updated_at == t1
        assert find_dataset(s, namespace=NS, name="t").row_count == 10
        mark_dropped(s, namespace=NS, name="t", at=t1, actor=SYSTEM)
        assert find_dataset(s, namespace=NS, name="t").status == "dropped"
        register_dataset(s, namespace=NS, name="t", actor=SYSTEM)
        assert find_dataset(s, namespace=NS, name="t").status == "active"
        with pytest.raises(NotFound):
            record_update(s, namespace=NS, name="nope", at=t1)


def test_bad_input_names_the_field_and_writes_nothing(db):
    with db.session(write=True) as s:
        with pytest.raises(InvalidInput) as err:
            register_dataset(
                s, namespace=NS, name="t", columns=[ColumnSpec("a"), ColumnSpec("a")], actor=SYSTEM
            )
        assert err.value.field == "columns[1].name"
        with pytest.raises(InvalidInput) as err:
            register_dataset(s, namespace="", name="t", actor=SYSTEM)
        assert err.value.field == "namespace"
        with pytest.raises(InvalidInput) as err:
            register_dataset(s, namespace=NS, name="t", owners=[("robot:x", "owner")], actor=SYSTEM)
        assert err.value.field == "owners[0]"
        s.rollback()
        assert find_dataset(s, namespace=NS, name="t") is None


def test_commit_false_joins_the_callers_transaction(db):
    with db.session(write=True) as s:
        register_dataset(s, namespace=NS, name="t", columns=COLS, actor=SYSTEM, commit=False)
        s.rollback()
        assert find_dataset(s, namespace=NS, name="t") is None
        register_dataset(s, namespace=NS, name="t", columns=COLS, actor=SYSTEM)
        assert audit.verify(s).ok
