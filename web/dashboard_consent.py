"""The consent panels of the dashboard: contactable share, opt-out trend, arrivals and lag (aggregates only)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from consent import stats
from core import clock
from web.charts import Bar, bar_chart, line_chart
from web.filters import lag

if TYPE_CHECKING:
    from web.dashboard_panels import Options

TOP_JURISDICTIONS = 15
MEDIAN, P90, SHARE = "#2563eb", "#d97706", "#0f766e"
HALF = 560  # chart width for a half-width panel column, so its text is drawn at about its own size


def contactable(session: Session, options: Options) -> dict[str, Any]:
    """Shares per channel and per jurisdiction, as charts and as a table."""
    found = stats.contactability(session)
    by = options.args.get("jchannel", "")
    by = by if by in found.purposes else ""
    channel_bars = [
        Bar(
            f"{c} · {found.purposes[c]}",
            round(s.percent, 1),
            SHARE,
            f"({s.contactable:,} of {s.customers:,})",
        )
        for c, s in found.channels.items()
    ]
    top = found.jurisdictions[:TOP_JURISDICTIONS]
    jurisdiction_bars = [
        Bar(
            j.jurisdiction,
            round(_share(j, by).percent, 1),
            SHARE,
            f"({_share(j, by).contactable:,} of {_share(j, by).customers:,})",
        )
        for j in top
    ]
    what = f"{by} {found.purposes[by]}" if by else "at least one channel"
    return {
        "found": found,
        "by": by,
        "channel_chart": bar_chart(
            channel_bars, title="Contactable share per channel", unit=" %", width=HALF
        ),
        "jurisdiction_chart": bar_chart(
            jurisdiction_bars, title=f"Contactable share per jurisdiction ({what})", unit=" %", width=HALF
        ),
        "what": what,
        "more": max(0, len(found.jurisdictions) - TOP_JURISDICTIONS),
    }


def _share(j: stats.JurisdictionShare, channel: str) -> stats.Share:
    return j.channels.get(channel, stats.Share(0, 0)) if channel else j.any_channel


def opt_outs(session: Session, options: Options) -> dict[str, Any]:
    """Opt-outs and objections per month of capture, one line per channel."""
    trend = stats.opt_out_trend(session, months=options.months)
    series = {name: list(zip(trend.months, counts, strict=True)) for name, counts in trend.series.items()}
    chart = line_chart(
        series, title=f"Opt-outs and objections per month, last {options.months} months", width=1100
    )
    return {"trend": trend, "chart": chart}


def arrivals(session: Session, options: Options) -> dict[str, Any]:
    """Records per source system received in the period, and their capture-to-arrival lag."""
    since = clock.now() - timedelta(days=round(options.months * 30.44))
    found = stats.arrivals(session, since=since)
    counts = bar_chart(
        [Bar(a.source, a.records, SHARE) for a in found],
        title="Consent records received per source system",
        width=HALF,
    )
    lag_bars = []
    for a in found:
        for name, seconds, colour in (
            ("median", a.median_lag_seconds, MEDIAN),
            ("p90", a.p90_lag_seconds, P90),
        ):
            lag_bars.append(Bar(f"{a.source} {name}", seconds / 3600, colour, text=lag(seconds)))
    lags = bar_chart(lag_bars, title="Lag from captured_at to received_at", width=HALF)
    return {"arrivals": found, "counts_chart": counts, "lag_chart": lags, "since": since}
