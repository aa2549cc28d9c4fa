"""A writer or reader process on one SQLite file: `python -m tests.reliability.sqlite_worker URL DIR ROLE N NAME`.

A writer ingests N batches (a new customer's profile and two consent records each); a reader checks
eligibility of the seeded customer and counts the stored records until DIR/stop exists (at most N
times). Each prints one JSON line: what it did and every error it saw.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import sqlalchemy as sa

from consent import eligibility
from consent.ingest import ingest_events_retrying
from consent.models import ConsentRecordRow
from core.audit import Actor
from core.db import Database
from core.settings import Settings

ACTOR = Actor(name="worker", role="ingest")


def batch(name: str, i: int) -> list[dict]:
    key = f"{name}-{i}"
    profile = {"type": "profile", "source": "crm", "source_key": key, "jurisdiction": "DE",
               "emails": [f"{key}@example.com"], "first_name": "Wil", "last_name": key}  # fmt: skip
    return [profile] + [
        {
            "type": "consent",
            "source": "crm",
            "id": f"{key}-{purpose}",
            "source_key": key,
            "channel": "email",
            "purpose": purpose,
            "status": "opt_in",
            "method": "web_form",
            "captured_at": "2026-01-05T10:00:00Z",
            "evidence": {"capture_source": "crm:form"},
        }
        for purpose in ("marketing", "marketing.offers")
    ]


def write(db: Database, n: int, name: str) -> dict:
    done, errors = 0, []
    for i in range(n):
        try:
            with db.session(write=True) as session:
                ingest_events_retrying(session, events=batch(name, i), actor=ACTOR)
            done += 1
        except Exception as exc:  # every error is the finding: report it, keep going
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
    return {"batches": done, "errors": errors}


def read(db: Database, n: int, stop: Path) -> dict:
    seen, errors = [], []
    for _ in range(n):
        if stop.exists():
            break
        try:
            with db.session() as session:
                answer = eligibility.check(
                    session, kind="source_key", value="crm:seed", channel="email", purpose="marketing"
                )
                count = sa.select(sa.func.count()).select_from(ConsentRecordRow.__table__)
                seen.append(session.execute(count).scalar_one())
            if not answer.allowed:
                errors.append(f"the seeded customer read as {answer.reason}")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
    return {"reads": len(seen), "seen": seen, "errors": errors}


def main() -> None:
    url, folder, role, n, name = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
    settings = Settings.from_env({}, instance_path=folder, database_url=url)
    db = Database(settings)
    print("ready", flush=True)
    sys.stdin.readline()  # wait for the go, so every worker starts together
    result = write(db, n, name) if role == "writer" else read(db, n, folder / "stop")
    print(orjson.dumps(result).decode(), flush=True)


if __name__ == "__main__":
    main()
