"""Demo loader: the sample company's consent-bearing tables and DNC registry file, into consent.

Runs after identity's loader (profiles first). Every source is pulled with unification deferred, then
one rebuild gives every customer its unified decisions: far less work than re-evaluating the same
customers after each source.
"""

from __future__ import annotations

from typing import Any

from consent import operations, pulls
from core.audit import Actor
from core.errors import Conflict
from core.runtime import Runtime

SYSTEMS = ("crm", "billing", "support", "marketing", "product")
DEMO = Actor(name="concord-demo", role="admin", kind="system")


def load_consent(runtime: Runtime, manifest: Any, progress: Any) -> str:
    """Pull the five systems and the registry file, then unify everyone once; returns a one-line summary."""
    try:
        return _load(runtime, manifest, progress)
    except Conflict:
        # The sample was generated again (`concord demo --fresh`): same record ids, new content. Its
        # records replace the previous sample's instead of contradicting them.
        with runtime.db.session(write=True) as session:
            operations.clear_facts(session, actor=DEMO, reason="the demo sample was generated again")
        return _load(runtime, manifest, progress)


def _load(runtime: Runtime, manifest: Any, progress: Any) -> str:
    facts, pending = 0, set()
    with progress(total=len(SYSTEMS) + 1, desc="consent sources", unit="sources") as bar:
        for system in SYSTEMS:
            facts, pending = _pull(runtime, system, str(manifest.source_db(system)), facts, pending)
            bar.update(1)
        facts, pending = _pull(runtime, "registry", str(manifest.registry_path), facts, pending)
        bar.update(1)
    with progress(desc="unifying", unit="customers") as bar, runtime.db.session(write=True) as session:
        stats = operations.rebuild(
            session, actor=DEMO, emitter=runtime.emitter, progress=bar.update, include=pending
        )
    return (
        f"{facts:,} consent facts from {len(SYSTEMS)} systems and the registry; "
        f"{stats.decisions:,} decisions for {stats.customers:,} customers"
    )


def _pull(runtime: Runtime, source: str, url: str, facts: int, pending: set[str]) -> tuple[int, set[str]]:
    with runtime.db.session(write=True) as session:
        result = pulls.pull(
            session, source=source, url=url, actor=DEMO, emitter=runtime.emitter, unify_now=False
        )
    stored = sum(result.ingest.stored.values()) if result.ingest else 0
    return facts + stored, pending | result.pending


load_consent.label = "consent"
