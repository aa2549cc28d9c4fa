"""CLI: init, tokens, audit verify, config, through click's runner."""

import sqlalchemy as sa
from sqlmodel import select

from core import migrate
from core.models import ApiToken, AuditEntry
from core.tokens import hash_token


def test_init_is_idempotent(cli_runner):
    first = cli_runner("init")
    second = cli_runner("init")
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    # Every package's Alembic branch head (core_0001 stops being a head once a package branches off it).
    assert all(revision in second.output for revision in migrate.head_revisions())


def test_token_create_prints_secret_once_and_stores_hash(cli_runner, db):
    result = cli_runner("token", "create", "--role", "marketing", "--name", "braze")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    assert secret.startswith("cnc_")
    with db.session() as session:
        row = session.exec(select(ApiToken)).one()
    assert row.token_hash == hash_token(secret) and row.role == "marketing"
    listed = cli_runner("token", "list")
    assert "braze" in listed.output and secret not in listed.output


def test_token_create_rejects_unknown_role(cli_runner):
    result = cli_runner("token", "create", "--role", "wizard", "--name", "x")
    assert result.exit_code != 0
    assert "wizard" in result.output


def test_audit_verify_detects_tampering(cli_runner, db):
    cli_runner("token", "create", "--role", "analyst", "--name", "a")
    cli_runner("token", "create", "--role", "analyst", "--name", "b")
    ok = cli_runner("audit", "verify")
    assert ok.exit_code == 0 and "intact" in ok.output
    with db.engine.begin() as conn:
        conn.execute(sa.update(AuditEntry).where(AuditEntry.seq == 1).values(actor="system:someone-else"))
    bad = cli_runner("audit", "verify")
    assert bad.exit_code == 1
    assert "entry 1" in bad.output


def test_token_revoke_unknown_id_says_what_to_do(cli_runner):
    result = cli_runner("token", "revoke", "tok_nope")
    assert result.exit_code == 1
    assert "concord token list" in result.output


def test_config_lists_settings_with_descriptions(cli_runner):
    result = cli_runner("config")
    assert "CONCORD_DATABASE_URL=" in result.output
    assert "SQLAlchemy URL" in result.output
