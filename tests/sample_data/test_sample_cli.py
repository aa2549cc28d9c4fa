"""`concord sample generate` and `concord demo` through the click runner, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

from core import clock
from core.audit import SYSTEM
from core.models import ApiToken, User
from core.tokens import hash_token
from core.users import create_user, sign_in
from sample_data import loaders
from sample_data.demo import DEMO_ROLES


def test_sample_generate_writes_the_folder(cli_runner, tmp_path):
    out = tmp_path / "company"
    result = cli_runner("sample", "generate", "--customers", "300", "--seed", "9", "--as-of", "2025-03-01",
                        "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "manifest.json").read_text())
    assert (doc["customers"], doc["seed"], doc["as_of"]) == (300, 9, "2025-03-01T00:00:00Z")
    assert "crm.contacts" in result.output and (out / "registry" / "us_national_dnc_2025-02-26.csv").is_file()


def test_sample_generate_rejects_bad_options(cli_runner, tmp_path):
    bad_instant = cli_runner("sample", "generate", "--as-of", "next tuesday", "--out", str(tmp_path))
    assert bad_instant.exit_code != 0 and "--as-of" in bad_instant.output
    too_few = cli_runner("sample", "generate", "--customers", "0", "--out", str(tmp_path))
    assert too_few.exit_code != 0 and "--customers" in too_few.output
    assert not (tmp_path / "manifest.json").exists()


def _secret(output: str) -> str:
    return next(line.split()[-1] for line in output.splitlines() if line.strip().startswith("API token:"))


def test_demo_creates_sign_ins_and_token_and_is_idempotent(cli_runner, db, settings):
    first = cli_runner("demo", "--customers", "500")
    assert first.exit_code == 0, first.output
    assert "Password:" in first.output and "admin, analyst, steward, compliance, marketing" in first.output
    manifest = json.loads((settings.instance_path / "sample" / "manifest.json").read_text())
    assert manifest["customers"] == 500

    second = cli_runner("demo", "--customers", "500")
    assert second.exit_code == 0, second.output
    assert "already in" in second.output and "Password:" not in second.output
    assert "passwords unchanged" in second.output
    with db.session() as session:
        users = session.exec(select(User)).all()
        token_rows = session.exec(select(ApiToken).where(ApiToken.name == "demo-admin")).all()
    assert sorted(u.username for u in users) == sorted(DEMO_ROLES)
    assert {u.username: u.role for u in users} == {r: r for r in DEMO_ROLES}
    assert {t.token_hash for t in token_rows} == {
        hash_token(_secret(first.output)),
        hash_token(_secret(second.output)),
    }
    assert all(t.role == "admin" for t in token_rows)


def test_demo_runs_registered_loaders_in_order_and_prints_their_summaries(cli_runner, monkeypatch):
    seen = []

    def load_people(runtime, manifest, progress):
        with progress(total=manifest.row_count("crm.contacts"), desc="contacts") as bar:
            bar.update(manifest.row_count("crm.contacts"))
        seen.append("people")
        return f"{manifest.row_count('crm.contacts')} contacts"

    def load_consent(runtime, manifest, progress):
        seen.append("consent")
        return "consent loaded"

    load_consent.label = "consent records"
    monkeypatch.setattr(loaders, "DEMO_LOADERS", [load_people, load_consent])
    result = cli_runner("demo", "--customers", "200")
    assert result.exit_code == 0, result.output
    assert seen == ["people", "consent"]
    assert (
        "loaded load_people:" in result.output and "loaded consent records: consent loaded" in result.output
    )


def test_demo_keeps_existing_users_and_creates_the_others(cli_runner, db):
    with db.session(write=True) as session:
        create_user(session, username="analyst", password="my own password", role="analyst", actor=SYSTEM)
    result = cli_runner("demo", "--customers", "150")
    assert result.exit_code == 0, result.output
    assert "Sign-ins:   admin, steward, compliance, marketing" in result.output
    assert "passwords unchanged: analyst" in result.output
    with db.session() as session:
        sign_in(session, username="analyst", password="my own password")


def test_demo_says_when_the_sample_is_old_and_fresh_makes_it_again(cli_runner, settings):
    assert cli_runner("demo", "--customers", "150").exit_code == 0
    made = json.loads((settings.instance_path / "sample" / "manifest.json").read_text())["as_of"]
    with clock.frozen(clock.parse_instant(made) + timedelta(days=40)):
        old = cli_runner("demo", "--customers", "150")
        assert "already in" in old.output and "--fresh" in old.output
        fresh = cli_runner("demo", "--customers", "150", "--fresh")
    assert fresh.exit_code == 0, fresh.output
    remade = json.loads((settings.instance_path / "sample" / "manifest.json").read_text())["as_of"]
    assert clock.parse_instant(remade) == clock.parse_instant(made) + timedelta(days=40)
