"""Shared fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from app import create_app
from core import audit, migrate
from core.audit import SYSTEM
from core.db import Database
from core.runtime import Runtime
from core.settings import Settings
from core.tokens import create_token

PG_URL = os.environ.get("CONCORD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


class _Template:
    """A migrated database per backend, made once per test session and reset for each test."""

    def __init__(self, backend: str, workdir: Path):
        self.backend = backend
        self.workdir = workdir
        if backend == "sqlite":
            self.file = workdir / "concord.db"
            self.url = f"sqlite:///{self.file}"
        else:
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            self.schema = f"t_{worker}_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
            admin.dispose()
            self.url = PG_URL
        self.db = self.database(workdir)
        migrate.upgrade(self.db)
        self.tables = [t for t in sa.inspect(self.db.engine).get_table_names() if t != "alembic_version"]
        if backend == "sqlite":
            self.db.dispose()

    def settings(self, instance: Path) -> Settings:
        url = f"sqlite:///{instance / 'concord.db'}" if self.backend == "sqlite" else self.url
        return Settings.from_env({}, instance_path=instance, database_url=url, scheduler_enabled=False)

    def database(self, instance: Path) -> Database:
        settings = self.settings(instance)
        engine = None
        if self.backend == "postgresql":
            engine = sa.create_engine(
                settings.database_url,
                connect_args={"options": f"-c search_path={self.schema}"},
                pool_size=5,
                max_overflow=10,
            )
        return Database(settings, engine=engine)

    def fresh(self, instance: Path) -> Database:
        """A database with the schema and no data."""
        if self.backend == "sqlite":
            instance.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.file, instance / "concord.db")
            return self.database(instance)
        with self.db.engine.begin() as conn:
            quoted = ", ".join(f'"{t}"' for t in self.tables)
            conn.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        with self.db.session(write=True) as session:
            audit.ensure_head(session)
            session.commit()
        return self.db

    def drop(self) -> None:
        if self.backend == "postgresql":
            self.db.dispose()
            admin = sa.create_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            admin.dispose()


@pytest.fixture(scope="session")
def _templates(tmp_path_factory) -> Iterator[dict[str, _Template]]:
    made: dict[str, _Template] = {}
    yield made
    for template in made.values():
        template.drop()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The database backend this test runs on."""
    return request.param


@pytest.fixture
def db(backend, _templates, tmp_path_factory, tmp_path) -> Iterator[Database]:
    """An empty, migrated database on the current backend."""
    if backend not in _templates:
        _templates[backend] = _Template(backend, tmp_path_factory.mktemp(f"template-{backend}"))
    database = _templates[backend].fresh(tmp_path / "instance")
    yield database
    if backend == "sqlite":
        database.dispose()


@pytest.fixture
def database_url(db) -> str:
    """A URL another process can open to reach this test's database (schema included on PostgreSQL)."""
    if db.dialect == "sqlite":
        return db.settings.database_url
    with db.engine.connect() as conn:
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture
def settings(db) -> Settings:
    """Settings pointing at the test database."""
    return db.settings


@pytest.fixture
def runtime(db) -> Runtime:
    """Runtime over the test database (no external lineage endpoint)."""
    return Runtime(settings=db.settings, db=db)


@pytest.fixture
def app(runtime):
    """The Flask app on the test database."""
    flask_app = create_app(runtime.settings, runtime=runtime)
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def client(app):
    """Flask test client."""
    return app.test_client()


@pytest.fixture
def token(db):
    """Create a token for a role and return the header dict that carries it."""

    def make(role: str, name: str | None = None) -> dict[str, str]:
        with db.session(write=True) as session:
            created = create_token(session, role=role, name=name or f"test-{role}", actor=SYSTEM)
        return {"Authorization": f"Bearer {created.secret}"}

    return make


@pytest.fixture
def cli_runner(runtime):
    """Invoke `concord` commands against the test database."""
    from cli import main
    from cli.context import CliContext

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), obj=CliContext(runtime.settings, runtime), input=input)

    return invoke
