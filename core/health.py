"""Readiness: may this process take traffic (database reachable, schema current, not shutting down)?"""

from __future__ import annotations

from dataclasses import dataclass, field

from core import migrate
from core.errors import Unavailable
from core.runtime import Runtime


@dataclass(frozen=True)
class Readiness:
    """The answer and, when not ready, every reason."""

    ready: bool
    database: str
    database_reachable: bool
    migrations_current: bool
    shutting_down: bool
    problems: list[str] = field(default_factory=list)


def readiness(runtime: Runtime) -> Readiness:
    """Check the database and its schema revisions; a process that is stopping is never ready."""
    problems: list[str] = []
    shutting_down = runtime.stopping.is_set()
    if shutting_down:
        problems.append("shutting down")
    reachable = current = False
    try:
        runtime.db.ping()
        reachable = True
        current = migrate.is_current(runtime.db.engine)
        if not current:
            problems.append("the database schema is not at the latest revision; run `concord init`")
    except Unavailable as exc:
        problems.append(exc.message)
    return Readiness(
        ready=not problems,
        database=runtime.db.dialect,
        database_reachable=reachable,
        migrations_current=current,
        shutting_down=shutting_down,
        problems=problems,
    )
