"""Pulling from source databases through the table mapping, and match quality against the truth."""

import uuid

import pytest
import sqlalchemy as sa

from core.audit import SYSTEM
from core.errors import InvalidInput
from core.openlineage import Emitter
from identity.quality import evaluate, read_truth_csv, report
from identity.sources import load_mapping, pull_source
from tests.conftest import PG_URL
from tests.identity.synthetic import generate, write_sources


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    generated = generate(400, seed=11)
    return generated, write_sources(generated, folder), folder


def test_pull_every_system_and_reach_the_quality_goal(session, company):
    generated, urls, folder = company
    seen = []
    for system, url in urls.items():
        result = pull_source(
            session, source_system=system, url=url, actor=SYSTEM, progress=seen.append, batch_size=150
        )
        assert result.read == len(generated.rows[system])
        assert result.inserted == result.read
    assert sum(seen) == len(generated.truth)
    quality = evaluate(session, read_truth_csv(folder / "truth.csv"))
    assert quality.counts["missing_records"] == 0
    assert quality.precision >= 0.95 and quality.recall >= 0.95, quality
    summary = report(session)
    assert summary.source_records == len(generated.truth)
    assert summary.records_per_system == {s: len(r) for s, r in sorted(generated.rows.items())}
    assert summary.duplicates_merged == summary.source_records - summary.customers > 0
    # A second pull changes nothing.
    again = pull_source(session, source_system="crm", url=urls["crm"], actor=SYSTEM)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, again.read)


def test_naive_matching_scores_lower_recall(session, company):
    generated, urls, _ = company
    for system, url in urls.items():
        pull_source(session, source_system=system, url=url, actor=SYSTEM)
    full = evaluate(session, generated.truth)
    email_only = {}
    for system, rows in generated.rows.items():
        for row in rows:
            email_only[system, row["key"]] = row["email"].strip().lower()
    naive = evaluate_naive(generated.truth, email_only)
    assert naive < full.recall


def evaluate_naive(truth, email_of):
    from collections import Counter

    persons, cells = Counter(), Counter()
    for system, key, person in truth:
        persons[person] += 1
        cells[email_of[system, key], person] += 1
    pairs = lambda n: n * (n - 1) // 2  # noqa: E731
    return sum(pairs(n) for n in cells.values()) / sum(pairs(n) for n in persons.values())


def test_mapping_errors_name_the_problem(session, company, tmp_path):
    _, urls, _ = company
    with pytest.raises(InvalidInput) as err:
        load_mapping("erp")
    assert err.value.field == "source"
    with pytest.raises(InvalidInput) as err:
        pull_source(session, source_system="crm", url=urls["crm"], actor=SYSTEM,
                    mapping={"table": "contacts", "key": "contact_id", "fields": {"emails": ["mail"]}})  # fmt: skip
    assert err.value.field == "mapping.fields"
    with pytest.raises(InvalidInput) as err:
        pull_source(session, source_system="crm", url=urls["crm"], actor=SYSTEM,
                    mapping={"table": "contacts; drop", "key": "contact_id", "fields": {"emails": ["email"]}})  # fmt: skip
    assert err.value.field == "mapping.table"
    with pytest.raises(InvalidInput) as err:
        pull_source(session, source_system="crm", url=f"sqlite:///{tmp_path}/absent.db", actor=SYSTEM)
    assert err.value.field == "url"
    with pytest.raises(InvalidInput) as err:
        pull_source(session, source_system="crm", url="not a url", actor=SYSTEM)
    assert err.value.field == "url"


def test_truth_rows_are_validated(session):
    with pytest.raises(InvalidInput) as err:
        evaluate(session, [("crm", "C1", "P1"), ("crm", "", "P2")])
    assert err.value.field == "truth[1]"


def test_pull_emits_an_openlineage_run(session, company):
    _, urls, _ = company
    events = []
    emitter = Emitter(local_sink=events.append)
    pull_source(session, source_system="support", url=urls["support"], actor=SYSTEM, emitter=emitter)
    assert emitter.flush()
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    done = events[-1]
    assert done["job"]["name"] == "identity.pull.support"
    assert done["inputs"][0]["name"] == "requesters" and done["inputs"][0]["namespace"].startswith(
        "sqlite:///"
    )
    assert done["outputs"][0]["name"] == "identity.source_records"
    assert done["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] > 0


def test_pull_from_a_postgresql_source(session):
    schema = f"src_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(
            sa.text(f'CREATE TABLE "{schema}".customers (id TEXT PRIMARY KEY, mail TEXT, tel TEXT, nm TEXT)')
        )
        conn.execute(
            sa.text(f'INSERT INTO "{schema}".customers VALUES (:i, :m, :t, :n)'),
            [{"i": "E1", "m": "Ann@Example.com", "t": "+1 303 555 0100", "n": "Ann Lee"},
             {"i": "E2", "m": "ann@example.com", "t": None, "n": "Lee, Ann"}],
        )  # fmt: skip
    mapping = {"table": "customers", "schema": schema, "key": "id",
               "fields": {"emails": ["mail"], "phones": ["tel"], "full_name": "nm"}}  # fmt: skip
    try:
        url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
        result = pull_source(session, source_system="erp", url=url, mapping=mapping, actor=SYSTEM)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    assert (result.read, result.inserted) == (2, 2)
    assert report(session).records_per_system == {"erp": 2}
    assert report(session).customers == 1
