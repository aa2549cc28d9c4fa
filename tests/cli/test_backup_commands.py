"""`concord backup` and `concord restore` on both databases."""

import shutil

import pytest


def test_backup_and_restore_round_trip(cli_runner, backend, tmp_path, token):
    if backend != "sqlite":
        pytest.skip("SQLite backups")
    out = tmp_path / "nightly.db"
    made = cli_runner("backup", str(out))
    assert made.exit_code == 0, made.output
    assert "backup written to" in made.output and out.exists()
    token("analyst")
    declined = cli_runner("restore", str(out), input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    restored = cli_runner("restore", str(out), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "previous database kept as" in restored.output and "restored from" in restored.output
    assert cli_runner("audit", "verify").exit_code == 0


def test_restore_of_a_bad_file_explains(cli_runner, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("SQLite backups")
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage")
    result = cli_runner("restore", str(bad), "--yes")
    assert result.exit_code == 1 and "not a SQLite database" in result.output


def test_postgresql_restore_prints_pg_restore_and_exits_2(cli_runner, backend, tmp_path):
    if backend != "postgresql":
        pytest.skip("PostgreSQL restores")
    result = cli_runner("restore", str(tmp_path / "d.dump"))
    assert result.exit_code == 2
    assert "pg_restore --clean --if-exists" in result.output and "concord init" in result.output


def test_postgresql_backup_runs_pg_dump(cli_runner, backend, tmp_path):
    if backend != "postgresql" or shutil.which("pg_dump") is None:
        pytest.skip("needs PostgreSQL and pg_dump")
    out = tmp_path / "d.dump"
    result = cli_runner("backup", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and "restore with: pg_restore" in result.output
