"""Settings read from the environment, each with a description `concord config` prints."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from core.errors import SettingsError

ENV_PREFIX = "CONCORD_"
DEFAULT_INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def _int(value: str) -> int:
    return int(value.replace("_", ""))


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected one of true/false/1/0/yes/no/on/off")


def _url(value: str) -> str:
    if "://" not in value:
        raise ValueError(
            "expected a SQLAlchemy URL such as sqlite:///path/concord.db or postgresql://host/db"
        )
    return value


def _positive_int(value: str) -> int:
    number = _int(value)
    if number < 1:
        raise ValueError("expected a whole number of 1 or more")
    return number


def _pairs(value: str) -> dict[str, str]:
    pairs = {}
    for part in value.split(","):
        name, sep, target = part.strip().partition("=")
        if not sep or not name.strip() or not target.strip():
            raise ValueError("expected name=value pairs separated by commas, e.g. crm=postgresql://host/crm")
        pairs[name.strip()] = target.strip()
    return pairs


def _level(value: str) -> str:
    upper = value.strip().upper()
    if upper not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
    return upper


def setting(description: str, parse: Callable[[str], Any] = str, default: Any = None, secret: bool = False):
    """Declare a setting: its description, how to parse it, and its default."""
    return field(default=default, metadata={"description": description, "parse": parse, "secret": secret})


@dataclass(frozen=True)
class Settings:
    """All of Concord's configuration; build with `Settings.from_env()`."""

    instance_path: Path = setting(
        "Folder for the default SQLite database, the secret key, feeds and exports.", Path, DEFAULT_INSTANCE
    )
    database_url: str = setting(
        "SQLAlchemy URL of the database (default: a SQLite file concord.db in the instance folder). "
        "PostgreSQL: postgresql://user@host:5432/dbname.",
        _url,
    )
    secret_key: str | None = setting(
        "Key that signs web sessions and CSRF tokens (default: generated once into the instance folder).",
        str,
        None,
        secret=True,
    )
    max_request_bytes: int = setting(
        "Largest request body accepted by JSON endpoints, after gzip decompression (bytes).", _int, 16 * 2**20
    )
    max_upload_bytes: int = setting(
        "Largest file accepted by upload endpoints such as segments and feeds (bytes).", _int, 2 * 2**30
    )
    sqlite_busy_timeout_ms: int = setting(
        "How long a SQLite writer waits for the lock before giving up (milliseconds).", _int, 15000
    )
    db_pool_size: int = setting("Connections kept open per process (PostgreSQL).", _int, 10)
    log_level: str = setting("Logging level: DEBUG, INFO, WARNING or ERROR.", _level, "INFO")
    log_json: bool = setting("Write logs as JSON lines (for production log shippers).", _bool, False)
    scheduler_enabled: bool = setting(
        "Run the periodic job scheduler inside the service (one leader across all processes).", _bool, True
    )
    scheduler_lease_seconds: int = setting(
        "How long the scheduler's leader lease and each running job's lease last without renewal "
        "(seconds); holders renew every third of it, and a crashed holder is replaced after it.",
        _int,
        60,
    )
    job_history_days: int = setting(
        "Days of job run history kept by the job-history retention job.", _int, 90
    )
    export_retention_days: int = setting(
        "Days a segment export's files (compliant list, exclusion report, uploaded segment) are kept; "
        "the `exports.retention` job deletes them after that (the export record stays).",
        _positive_int,
        30,
    )
    export_inline_rows: int = setting(
        "Segments up to this many rows are exported inside the upload request; larger ones run in the "
        "background and report progress.",
        _int,
        20000,
    )
    web_workers: int = setting("Worker processes of `concord serve --prod` (gunicorn).", _int, 2)
    web_threads: int = setting("Threads per worker process of `concord serve --prod`.", _int, 4)
    web_timeout_seconds: int = setting(
        "A worker silent for this long is restarted; also the grace period for requests at shutdown.",
        _int,
        60,
    )
    web_max_requests: int = setting(
        "Requests a worker serves before it is replaced (with up to 10% jitter; 0 = never).", _int, 2000
    )
    openlineage_url: str | None = setting(
        "Optional external OpenLineage endpoint (Marquez, DataHub) that also receives Concord's own events.",
        str,
        None,
    )
    openlineage_api_key: str | None = setting(
        "Bearer API key for the external OpenLineage endpoint.", str, None, secret=True
    )
    openlineage_namespace: str = setting(
        "OpenLineage namespace of the jobs Concord runs itself.", str, "concord"
    )
    lineage_derive_in_web: bool = setting(
        "Derive OpenLineage events inside the web processes right after accepting them. Set false when a "
        "separate `concord lineage derive --follow` process does it (higher ingestion rates).",
        _bool,
        True,
    )
    feeds_path: Path | None = setting(
        "Folder of source-system feed folders (`<source>/*.csv|*.jsonl`) the `consent.feeds` job ingests "
        "(default: feeds/ in the instance folder).",
        Path,
        None,
    )
    consent_pull_sources: dict[str, str] | None = setting(
        "Source databases the `consent.pulls` job pulls, as `source=url` pairs separated by commas, e.g. "
        "`crm=postgresql://reader@crm-db/crm,billing=/data/billing.db` (default: none).",
        _pairs,
        None,
        secret=True,
    )
    consent_pull_mapping: Path | None = setting(
        "YAML mapping of the pulled sources' tables to consent events (default: the packaged sample mapping).",
        Path,
        None,
    )
    dnc_registry_warn_days: int = setting(
        "Age in days of a do-not-call registry's newest snapshot at which `consent.dnc_registry_age` warns "
        "(it turns stale at the policy's maximum age, 31 days).",
        _positive_int,
        26,
    )
    lineage_retention_days: int | None = setting(
        "Purge raw OpenLineage events stored more than this many days ago (the derived graph is kept); "
        "unset keeps them forever.",
        _positive_int,
        None,
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read every setting from `CONCORD_*` variables; a malformed one raises naming it."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = env_name(f.name)
            raw = environ.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[f.name] = f.metadata["parse"](raw)
            except (ValueError, TypeError) as exc:
                raise SettingsError(f"{name}={raw!r} is not valid: {exc}", field=name) from exc
        values.update(overrides)
        return cls(**values).resolved()

    def resolved(self) -> Settings:
        """Fill defaults that depend on other settings (the database lives in the instance folder)."""
        instance = Path(self.instance_path).expanduser().resolve()
        url = self.database_url or f"sqlite:///{instance / 'concord.db'}"
        feeds = Path(self.feeds_path).expanduser().resolve() if self.feeds_path else instance / "feeds"
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return replace(
            self,
            instance_path=instance,
            database_url=url,
            feeds_path=feeds,
        )

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite default."""
        return self.database_url.startswith("sqlite")

    def describe(self) -> list[dict[str, str]]:
        """Each setting's variable, current value (secrets masked) and description."""
        rows = []
        for f in fields(self):
            value = getattr(self, f.name)
            shown = "(set)" if f.metadata["secret"] and value else ("" if value is None else str(value))
            rows.append({"name": env_name(f.name), "value": shown, "description": f.metadata["description"]})
        return rows


def env_name(field_name: str) -> str:
    """The environment variable that sets a field."""
    return ENV_PREFIX + field_name.upper()
