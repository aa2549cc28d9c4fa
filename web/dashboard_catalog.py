"""The catalogue's dashboard panel: stale and fresh datasets per source system, and the longest-stale ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from catalog import freshness
from web.charts import Bar, bar_chart

if TYPE_CHECKING:
    from web.dashboard_panels import Options

STALE, FRESH = "#dc2626", "#16a34a"
HALF = 560


def stale_datasets(session: Session, options: Options) -> dict[str, Any]:
    """Counts per source system as a chart and a table, and a list of stale datasets to chase."""
    counts, stale = freshness.freshness_summary(session)
    bars = []
    for c in counts:
        bars.append(Bar(f"{c.source_system} stale", c.stale, STALE, f"of {c.stale + c.fresh} monitored"))
        bars.append(Bar(f"{c.source_system} fresh", c.fresh, FRESH, f"of {c.stale + c.fresh} monitored"))
    chart = bar_chart(bars, title="Stale and fresh datasets per source system", width=HALF)
    return {"counts": counts, "stale": stale, "chart": chart}
