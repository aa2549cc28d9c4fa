"""Policy dry-runs kept as records: started (audited), run with progress, read back done, failed or cut off."""

from datetime import timedelta

import pytest

from consent import dry_runs, operations, policies
from consent.policy_loader import reference_text
from core import audit, clock
from core.audit import Actor
from core.errors import NotFound
from tests.consent.conftest import consent, profile

OFFICER = Actor(name="olga", role="compliance")
V2 = (
    reference_text()
    .replace("policy: reference-v1", "policy: reference-v2")
    .replace("sms.marketing: {model: opt_in}, voice", "sms.marketing: {model: opt_out}, voice")
)


@pytest.fixture
def stored(db, ingest):
    ingest(
        profile("C1", jurisdiction="DE", emails=["a@example.com"], phones=["+4930123456"]),
        profile("C2", jurisdiction="DE", emails=["b@example.com"], phones=["+4930654321"]),
        consent("s2", "C2", channel="sms", status="opt_out", captured_at="2025-03-01T00:00:00Z"),
    )
    with db.session(write=True) as session:
        policies.upload_policy(session, text=V2, actor=OFFICER)
    return db


def test_a_dry_run_from_start_to_result(stored):
    with stored.session(write=True) as session:
        started = dry_runs.start_dry_run(session, version="reference-v2", actor=OFFICER)
        assert started.state == dry_runs.RUNNING and started.active_version == "reference-v1"
        assert audit.recent(session, limit=1)[0].action == "consent.policy.dry_run"
    done = dry_runs.execute_dry_run(stored, run_id=started.id)
    assert done.state == dry_runs.DONE and done.finished_at is not None
    assert (done.customers_done, done.customers_total, done.percent) == (2, 2, 100.0)
    # C1 has no SMS consent: the opt-out model allows it; C2 opted out and stays denied.
    changes = {(t.before, t.after): t.count for t in done.transitions}
    assert changes == {((False, "no_consent"), (True, "nonrestrictive_default")): 3}  # sms: 3 purposes kept
    assert done.changed == 3 and done.customers == 2
    assert {s["channel"] for s in done.sample} == {"sms"}
    assert done.sample[0]["before"] == (False, "no_consent")
    with stored.session() as session:
        again = dry_runs.get_dry_run(session, run_id=started.id)
        listed = dry_runs.list_dry_runs(session, version="reference-v2")
        assert dry_runs.list_dry_runs(session, version="reference-v1") == []
    assert again.transitions == done.transitions and [r.id for r in listed] == [started.id]


def test_progress_is_reported_per_chunk(stored):
    seen = []
    with stored.session() as session:
        operations.dry_run(
            session, version="reference-v2", progress=lambda done, total: seen.append((done, total))
        )
    assert seen == [(2, 2)]


def test_a_failure_is_recorded_with_its_message(stored, monkeypatch):
    with stored.session(write=True) as session:
        started = dry_runs.start_dry_run(session, version="reference-v2", actor=OFFICER)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(dry_runs, "dry_run", broken)
    with pytest.raises(RuntimeError):
        dry_runs.execute_dry_run(stored, run_id=started.id)
    failed = dry_runs.get(stored, started.id)
    assert (failed.state, failed.message) == (dry_runs.FAILED, "the database went away")


def test_a_run_whose_heartbeat_stopped_reads_as_interrupted(stored):
    with stored.session(write=True) as session:
        started = dry_runs.start_dry_run(session, version="reference-v2", actor=OFFICER)
    with clock.frozen(clock.now() + dry_runs.STALE_AFTER + timedelta(seconds=1)):
        assert dry_runs.get(stored, started.id).state == dry_runs.INTERRUPTED


def test_unknown_version_or_run(stored):
    with stored.session(write=True) as session:
        with pytest.raises(NotFound) as raised:
            dry_runs.start_dry_run(session, version="reference-v9", actor=OFFICER)
        assert "reference-v2" in raised.value.message
        with pytest.raises(NotFound) as raised:
            dry_runs.get_dry_run(session, run_id="dry_nope")
        assert raised.value.field == "run_id"
