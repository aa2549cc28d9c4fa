"""The demo's catalogue loader: register and scan the five source databases, load the metric pack."""

from __future__ import annotations

from catalog import metrics, scanner, sources
from core.audit import Actor
from core.runtime import Runtime
from sample_data.manifest import Manifest

ACTOR = Actor(name="concord-demo", role="admin", kind="system")
SYSTEMS = ("crm", "billing", "support", "marketing", "product")
DAY = 86_400


def load_catalog(runtime: Runtime, manifest: Manifest, progress) -> str:
    """Scan crm, billing, support, marketing and product into the catalogue; load customer360 metrics."""
    tables = sum(1 for name in manifest.tables if name.split(".", 1)[0] in SYSTEMS)
    suggested = 0
    with (
        runtime.db.session(write=True) as session,
        progress(total=tables, desc="catalogue", unit="tables") as bar,
    ):
        known = {s.name for s in sources.list_sources(session)}
        for system in SYSTEMS:
            if system not in known:
                sources.register_source(
                    session,
                    name=system,
                    url=f"sqlite:///{manifest.source_db(system)}",
                    owner=f"team:{system}",
                    description=f"{manifest.company.get('name', 'Sample company')} {system} system",
                    scan_interval_seconds=DAY,
                    expected_update_seconds=DAY,
                    actor=ACTOR,
                )
            result = scanner.scan_source(session, name=system, actor=ACTOR, emitter=runtime.emitter)
            suggested += result.suggested_classes
            bar.update(result.tables)
        pack = metrics.load_metric_pack(session, pack="customer360", actor=ACTOR)
    runtime.emitter.flush()
    return (
        f"{tables} tables from {len(SYSTEMS)} sources, {suggested} PII suggestions, "
        f"{pack.metrics_created + pack.metrics_updated} metrics ({pack.certified} certified)"
    )


load_catalog.label = "catalogue"
