"""Reliability tests: real `concord` processes against the test database (SQLite file or PostgreSQL schema)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
CONCORD = [sys.executable, "-c", "from cli import main; main()"]


class Concord:
    """Starts `concord ...` processes on the test database, with feed folders under `feeds`."""

    def __init__(self, url: str, instance: Path):
        self.instance = instance
        self.feeds = instance / "feeds"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CONCORD_", "PROMETHEUS_"))}
        self.env.update(
            CONCORD_DATABASE_URL=url,
            CONCORD_INSTANCE_PATH=str(instance),
            CONCORD_FEEDS_PATH=str(self.feeds),
            CONCORD_SCHEDULER_ENABLED="false",
            CONCORD_SCHEDULER_LEASE_SECONDS="3",
            CONCORD_LOG_LEVEL="WARNING",
        )
        self.started: list[subprocess.Popen] = []

    def start(self, *args: str, **kwargs) -> subprocess.Popen:
        """A `concord` process (stdout and stderr piped unless told otherwise)."""
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.PIPE)
        proc = subprocess.Popen([*CONCORD, *args], cwd=ROOT, env=self.env, **kwargs)
        self.started.append(proc)
        return proc

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run `concord ...` to the end."""
        return subprocess.run(
            [*CONCORD, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
            proc.wait(30)


@pytest.fixture
def concord(database_url, tmp_path) -> Iterator[Concord]:
    """Run `concord` processes against this test's database; any left running are killed afterwards."""
    runner = Concord(database_url, tmp_path / "instance")
    yield runner
    runner.stop_all()


def feed_file(path: Path, source: str, start: int, people: int) -> int:
    """A JSON Lines feed of `people` profiles, each with an email opt-in; returns the consent records in it."""
    lines = []
    for n in range(start, start + people):
        key = f"K{n:06d}"
        lines.append({"type": "profile", "source": source, "source_key": key, "jurisdiction": "DE",
                      "emails": [f"{key.lower()}@{source}.example.com"], "first_name": "Fay", "last_name": key})  # fmt: skip
        lines.append({"type": "consent", "source": source, "id": f"c-{key}", "source_key": key, "channel": "email",
                      "purpose": "marketing", "status": "opt_in", "method": "web_form",
                      "captured_at": "2026-01-05T10:00:00Z", "evidence": {"capture_source": f"{source}:form"}})  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    return people
