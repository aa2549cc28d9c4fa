"""Scanning source databases: tables, PII classes, re-scans, failures that change nothing."""

import shutil
import sqlite3
import uuid

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from catalog.classification.service import column_classes
from catalog.models import CatalogDataset
from catalog.registry import resolve
from catalog.scanner import scan_source
from catalog.sources import list_sources, register_source
from catalog.versions import schema_history
from core.audit import SYSTEM
from core.errors import Unavailable
from core.models import AuditEntry
from core.openlineage import Emitter
from tests.catalog.conftest import STEWARD
from tests.conftest import PG_URL


def _counts(s):
    return (
        s.exec(select(func.count()).select_from(CatalogDataset)).one(),
        s.exec(select(func.count()).select_from(AuditEntry)).one(),
    )


def test_scanning_the_sample_sources_finds_every_table_and_pii_column(db, sample_sources, sample_manifest):
    paths, expected = sample_sources
    events = []
    emitter = Emitter(local_sink=events.append)
    with db.session(write=True) as s:
        for system, path in paths.items():
            register_source(s, name=system, url=f"sqlite:///{path}", owner="team:" + system, actor=STEWARD)
            result = scan_source(s, name=system, actor=STEWARD, emitter=emitter)
            assert sorted(result.added) == sorted(expected[system])
        for system, tables in expected.items():
            ns = f"sqlite://{paths[system].resolve()}"
            for table, columns in tables.items():
                ds = resolve(s, ns, table)
                assert ds is not None and ds.source_system == system
                assert ds.row_count == sample_manifest.row_count(f"{system}.{table}")
                found = {(c.column, c.pii_class) for c in column_classes(s, dataset_id=ds.id)}
                wanted = {(col, cls) for col, cls in columns.items() if cls}
                assert found == wanted, f"{system}.{table}"
    assert emitter.flush()
    completes = [e for e in events if e["eventType"] == "COMPLETE"]
    assert {e["job"]["name"] for e in completes} == {f"catalog.scan.{s}" for s in paths}
    crm = next(e for e in completes if e["job"]["name"] == "catalog.scan.crm")
    assert {d["name"] for d in crm["inputs"]} == {"contacts", "contact_preferences"}


def test_rescan_after_a_schema_change_versions_and_marks_dropped(db, sample_sources, tmp_path):
    path = tmp_path / "crm.db"
    shutil.copyfile(sample_sources[0]["crm"], path)
    with db.session(write=True) as s:
        register_source(s, name="crm", url=f"sqlite:///{path}", actor=SYSTEM)
        scan_source(s, name="crm", actor=SYSTEM)
        again = scan_source(s, name="crm", actor=SYSTEM)
        assert again.added == [] and again.changed == [] and again.unchanged == 2
        with sqlite3.connect(path) as conn:
            conn.execute("ALTER TABLE contacts ADD COLUMN loyalty_tier TEXT")
            conn.execute("ALTER TABLE contacts DROP COLUMN region")
            conn.execute("DROP TABLE contact_preferences")
            conn.execute("CREATE TABLE loyalty (member_id TEXT, points INTEGER)")
        conn.close()
        result = scan_source(s, name="crm", actor=SYSTEM)
        assert result.added == ["loyalty"] and result.changed == ["contacts"]
        assert result.dropped == ["contact_preferences"]
        ns = f"sqlite://{path.resolve()}"
        contacts = resolve(s, ns, "contacts")
        latest = schema_history(s, dataset_id=contacts.id)[0]
        assert latest.version == 2
        assert latest.changes["added"] == ["loyalty_tier"] and latest.changes["removed"] == ["region"]
        dropped = resolve(s, ns, "contact_preferences")
        assert dropped.status == "dropped" and dropped.dropped_at is not None


def test_unreachable_sqlite_source_fails_clearly_and_changes_nothing(db, tmp_path):
    events = []
    emitter = Emitter(local_sink=events.append)
    with db.session(write=True) as s:
        register_source(s, name="gone", url=f"sqlite:///{tmp_path / 'missing.db'}", actor=SYSTEM)
        before = _counts(s)
        with pytest.raises(Unavailable) as err:
            scan_source(s, name="gone", actor=SYSTEM, emitter=emitter)
        assert "missing.db" in err.value.message
        assert _counts(s) == before
        assert not (tmp_path / "missing.db").exists()
    emitter.flush()
    assert [e["eventType"] for e in events] == ["START", "FAIL"]


@pytest.mark.parametrize(
    "url", ["postgresql://nobody:s3cr3t-pw@127.0.0.1:5432/test", "postgresql://x:s3cr3t-pw@127.0.0.1:1/test"]
)
def test_wrong_credentials_or_closed_port_fail_without_showing_the_password(db, url):
    with db.session(write=True) as s:
        info = register_source(s, name="pg", url=url, actor=SYSTEM)
        assert "s3cr3t" not in info.url and "s3cr3t" not in list_sources(s)[0].url
        before = _counts(s)
        with pytest.raises(Unavailable) as err:
            scan_source(s, name="pg", actor=SYSTEM)
        assert "s3cr3t" not in err.value.message and "cannot read source 'pg'" in err.value.message
        assert _counts(s) == before


@pytest.fixture
def pg_source_schema():
    schema = f"src_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(
            sa.text(f'CREATE TABLE "{schema}".customers (id int primary key, email text, full_name text)')
        )
        conn.execute(sa.text(f"COMMENT ON TABLE \"{schema}\".customers IS 'One row per customer'"))
        conn.execute(
            sa.text(
                f"INSERT INTO \"{schema}\".customers VALUES (1, 'ada@example.com', 'Ada Lovelace'), (2, 'alan@example.org', 'Alan Turing')"
            )
        )
        conn.execute(sa.text(f'CREATE VIEW "{schema}".emails AS SELECT email FROM "{schema}".customers'))
    yield schema
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_scanning_a_postgresql_source(db, pg_source_schema):
    with db.session(write=True) as s:
        register_source(s, name="warehouse", url=PG_URL, schemas=[pg_source_schema], actor=SYSTEM)
        result = scan_source(s, name="warehouse", actor=SYSTEM)
        assert sorted(result.added) == [
            f"test.{pg_source_schema}.customers",
            f"test.{pg_source_schema}.emails",
        ]
        customers = resolve(s, "postgres://127.0.0.1:5432", f"test.{pg_source_schema}.customers")
        assert customers.description == "One row per customer" and customers.row_count == 2
        view = resolve(s, "postgres://127.0.0.1:5432", f"test.{pg_source_schema}.emails")
        assert view.kind == "view" and view.row_count is None
        classes = {(c.column, c.pii_class) for c in column_classes(s, dataset_id=customers.id)}
        assert classes == {("email", "email"), ("full_name", "person_name")}
