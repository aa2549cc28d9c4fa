"""Settings from the environment: defaults, parsing and errors that name the variable."""

from pathlib import Path

import pytest

from core.errors import SettingsError
from core.settings import Settings


def test_default_database_is_sqlite_in_instance_folder(tmp_path):
    settings = Settings.from_env({"CONCORD_INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'concord.db'}"
    assert settings.is_sqlite


def test_postgres_url_gets_the_psycopg_driver():
    settings = Settings.from_env({"CONCORD_DATABASE_URL": "postgresql://u@h:5432/db"})
    assert settings.database_url == "postgresql+psycopg://u@h:5432/db"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CONCORD_DATABASE_URL", "not a url"),
        ("CONCORD_MAX_REQUEST_BYTES", "lots"),
        ("CONCORD_LOG_JSON", "maybe"),
        ("CONCORD_LOG_LEVEL", "LOUD"),
    ],
)
def test_malformed_setting_names_itself(name, value):
    with pytest.raises(SettingsError) as info:
        Settings.from_env({name: value})
    assert info.value.field == name
    assert name in info.value.message


def test_describe_masks_secrets():
    rows = {r["name"]: r for r in Settings.from_env({"CONCORD_SECRET_KEY": "s3cret"}).describe()}
    assert rows["CONCORD_SECRET_KEY"]["value"] == "(set)"
    assert all(r["description"] for r in rows.values())


def test_numbers_accept_underscores():
    assert Settings.from_env({"CONCORD_MAX_REQUEST_BYTES": "1_000"}).max_request_bytes == 1000


def test_instance_path_is_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({"CONCORD_INSTANCE_PATH": "rel"}).instance_path == Path(tmp_path / "rel")
