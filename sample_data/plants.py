"""The hard consent cases planted on purpose, and how the manifest counts them from what was written.

Counts come from the records themselves (`classify`), so a case counted is a case in the databases.
"""

from __future__ import annotations

from collections import defaultdict

from sample_data.consent import BUILDERS, EXPLICIT_METHODS, Event, latest_capture, make
from sample_data.context import DAY, Context
from sample_data.people import Person
from sample_data.records import SourceRecord

CONFLICT_SHARE = 0.10  # of people with email consents in two or more systems
LATE_ARRIVAL_SHARE = 0.5  # of conflicts whose earlier record arrives after the later one
EXPLICIT_RECONSENT_SHARE = 0.05  # of marketing subscribers
IMPLICIT_RECONSENT_SHARE = 0.04  # of people in the CRM or marketing platform
_OPT_IN_METHOD = {"crm": ("web_form", "sales_rep_entry"), "marketing": ("web_form", "preference_center")}
_OPT_OUT_METHOD = {"crm": ("sales_rep_entry", "verbal_recorded"), "marketing": ("unsubscribe_link",)}


def events_for(ctx: Context, person: Person, records: list[SourceRecord]) -> list[Event]:
    """Everyday consent records plus the planted conflicts, late arrivals and re-consents."""
    by_system = {r.system: r for r in records}
    events: list[Event] = []
    for system, build in BUILDERS.items():
        if system in by_system:
            events.extend(build(ctx, person, by_system[system]))
    _conflict(ctx, by_system, events)
    _reconsent(ctx, by_system, events)
    return events


def _method(ctx: Context, system: str, status: str) -> str:
    if system == "product":
        return "in_app_toggle"
    return ctx.rng.choice((_OPT_IN_METHOD if status == "opt_in" else _OPT_OUT_METHOD)[system])


def _conflict(ctx: Context, by_system: dict[str, SourceRecord], events: list[Event]) -> None:
    """Opt-in in one system and opt-out in another for the same channel and purpose."""
    rng = ctx.rng
    systems = [s for s in ("crm", "marketing", "product") if s in by_system and by_system[s].email]
    if len(systems) < 2 or rng.random() >= CONFLICT_SHARE:
        return
    first_system, second_system = rng.sample(systems, 2)
    purpose = rng.choice(("marketing", "marketing.newsletter"))
    first_status, second_status = rng.choice((("opt_in", "opt_out"), ("opt_out", "opt_in")))
    start = max(by_system[first_system].created, by_system[second_system].created)
    end = min(latest_capture(ctx, first_system), latest_capture(ctx, second_system)) - 6 * DAY
    if end - start < 2 * DAY:
        return
    first_at = ctx.between(start, end - DAY)
    second_at = ctx.between(first_at + 3600, end)
    first = make(
        ctx, first_system, "email", purpose, first_status, _method(ctx, first_system, first_status), first_at
    )
    second = make(
        ctx,
        second_system,
        "email",
        purpose,
        second_status,
        _method(ctx, second_system, second_status),
        second_at,
    )
    if rng.random() < LATE_ARRIVAL_SHARE:
        # The earlier record was stuck in a sync backlog and arrives after the later one.
        first.received = min(second.received + rng.randint(3600, 5 * DAY), ctx.as_of - 60)
    events.extend((first, second))


def _reconsent(ctx: Context, by_system: dict[str, SourceRecord], events: list[Event]) -> None:
    """Opt-out followed by a new opt-in: by an explicit method, or by an import or sales rep entry."""
    rng = ctx.rng
    marketing = by_system.get("marketing")
    end = latest_capture(ctx, "marketing")
    if (
        marketing is not None
        and end - marketing.created > 10 * DAY
        and rng.random() < EXPLICIT_RECONSENT_SHARE
    ):
        if marketing.phone and rng.random() < 0.3:
            channel, purpose, stop, start = "sms", "marketing", "sms_keyword_stop", "sms_keyword_start"
        else:
            channel, purpose, stop, start = (
                "email",
                "marketing.newsletter",
                "unsubscribe_link",
                "preference_center",
            )
        out_at = ctx.between(marketing.created, end - 8 * DAY)
        events.append(make(ctx, "marketing", channel, purpose, "opt_out", stop, out_at))
        events.append(
            make(ctx, "marketing", channel, purpose, "opt_in", start, ctx.between(out_at + 7 * DAY, end))
        )
    candidates = [
        s
        for s in ("crm", "marketing")
        if s in by_system and by_system[s].email and latest_capture(ctx, s) - by_system[s].created > 40 * DAY
    ]
    if candidates and rng.random() < IMPLICIT_RECONSENT_SHARE:
        system = rng.choice(candidates)
        record = by_system[system]
        end = latest_capture(ctx, system)
        purpose = "marketing" if system == "crm" else "marketing.newsletter"
        out_method = "sales_rep_entry" if system == "crm" else "unsubscribe_link"
        out_at = ctx.between(record.created, end - 31 * DAY)
        events.append(make(ctx, system, "email", purpose, "opt_out", out_method, out_at))
        # A later list import (or a rep ticking the box) silently re-subscribes the person.
        method = "import" if system == "marketing" or rng.random() < 0.6 else "sales_rep_entry"
        events.append(
            make(ctx, system, "email", purpose, "opt_in", method, ctx.between(out_at + 30 * DAY, end))
        )


def classify(events: list[Event], as_of: int) -> dict[str, int]:
    """The cases one person's records contain (people counted once per case, records per record)."""
    found: dict[str, int] = defaultdict(int)
    groups: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for event in events:
        groups[(event.channel, event.purpose)].append(event)
        if event.status == "opt_in" and event.expires is not None and event.expires < as_of:
            found["expired_consents"] += 1
        if event.status == "pending" and not _confirmed_later(event, events):
            found["pending_double_opt_ins"] += 1
        if event.status == "objection":
            found["objections_crm"] += 1
    for group in groups.values():
        ins = {e.system for e in group if e.status == "opt_in"}
        outs = {e.system for e in group if e.status == "opt_out"}
        if any(a != b for a in ins for b in outs):
            found["people_with_conflicting_consents"] = 1
        if any(a.captured < b.captured and a.received > b.received for a in group for b in group):
            found["people_with_out_of_order_records"] = 1
        for kind in _reconsents(group):
            found[kind] = 1
    return found


def _confirmed_later(pending: Event, events: list[Event]) -> bool:
    return any(
        e.status == "opt_in"
        and e.system == pending.system
        and (e.channel, e.purpose) == (pending.channel, pending.purpose)
        and e.captured >= pending.captured
        for e in events
    )


def _reconsents(group: list[Event]) -> set[str]:
    kinds = set()
    opt_outs = [e.captured for e in group if e.status == "opt_out"]
    if not opt_outs:
        return kinds
    first_out = min(opt_outs)
    for event in group:
        if event.status == "opt_in" and event.captured > first_out:
            explicit = event.method in EXPLICIT_METHODS
            kinds.add("people_reconsented_explicitly" if explicit else "people_reconsented_by_other_means")
    return kinds
