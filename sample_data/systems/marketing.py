"""Marketing automation: subscribers, subscription records per address or number, bounces, complaints."""

from __future__ import annotations

from sample_data import formats
from sample_data.consent import Event, consent_fields
from sample_data.context import DAY, Context
from sample_data.people import Person
from sample_data.records import SourceRecord

HARD_BOUNCE_SHARE = 0.02
SOFT_BOUNCE_SHARE = 0.04
SPAM_COMPLAINT_SHARE = 0.01
HARD_BOUNCE_DAYS = 180  # how long the platform suppresses a hard-bounced address


def write(ctx: Context, person: Person, record: SourceRecord, events: list[Event]) -> None:
    """One `subscribers` row, its subscription records, and any bounces or spam complaints."""
    rng = ctx.rng
    email = formats.email("marketing", record.email, rng, ctx.noise)
    phone = formats.phone("marketing", record.phone, rng, ctx.noise) if record.phone else None
    first, last = (person.first, person.last) if record.named else (None, None)
    ctx.add(
        "marketing.subscribers",
        (
            record.key,
            email,
            first,
            last,
            phone,
            person.country,
            person.region,
            ctx.ts("marketing", record.created),
        ),
    )
    for event in sorted(events, key=lambda e: e.captured):
        key = ctx.key("marketing.subscriptions")
        on_phone = event.contact == "phone"
        ctx.add(
            "marketing.subscriptions",
            (
                key,
                record.key,
                None if on_phone else email,
                phone if on_phone else None,
                *consent_fields(ctx, event),
                ctx.ts("marketing", event.expires),
                event.source,
                ctx.notice_version(event.captured),
                _url(ctx, event, key) if event.evidence else None,
                event.ip or None,
            ),
        )
    _deliverability(ctx, record)


def _url(ctx: Context, event: Event, key: str) -> str:
    """Where the consent was given: the form, the preference centre, the confirm or unsubscribe link."""
    host = ctx.domain
    if event.method == "preference_center":
        return f"https://prefs.{host}/p/{key}"
    if event.method == "unsubscribe_link":
        return f"https://mail.{host}/u/{key}"
    if event.method == "double_opt_in_confirmed":
        return f"https://mail.{host}/confirm/{key}"
    return f"https://www.{host}/newsletter?src={event.source.rsplit(':', 1)[-1]}"


def _deliverability(ctx: Context, record: SourceRecord) -> None:
    rng = ctx.rng
    address = record.email  # the platform stores addresses normalised
    roll = rng.random()
    if roll < HARD_BOUNCE_SHARE:
        old_enough = ctx.as_of - record.created > (HARD_BOUNCE_DAYS + 30) * DAY
        if old_enough and rng.random() < 0.5:
            at = ctx.between(record.created, ctx.as_of - (HARD_BOUNCE_DAYS + 20) * DAY)
            ctx.count("hard_bounces_expired")
        else:
            at = ctx.between(max(record.created, ctx.as_of - (HARD_BOUNCE_DAYS - 30) * DAY), ctx.as_of - 600)
            ctx.count("hard_bounces_live")
        _bounce(ctx, address, "hard", at, at + HARD_BOUNCE_DAYS * DAY)
    elif roll < HARD_BOUNCE_SHARE + SOFT_BOUNCE_SHARE:
        at = ctx.between(record.created, ctx.as_of - 600)
        _bounce(ctx, address, "soft", at, at + 7 * DAY)
        ctx.count("soft_bounces")
    if rng.random() < SPAM_COMPLAINT_SHARE:
        at = ctx.between(record.created, ctx.as_of - 600)
        ctx.add(
            "marketing.spam_complaints",
            (ctx.key("marketing.spam_complaints"), address, ctx.ts("marketing", at)),
        )
        ctx.count("spam_complaints")


def _bounce(ctx: Context, address: str, kind: str, at: int, expires: int) -> None:
    row = (ctx.key("marketing.bounces"), address, kind, ctx.ts("marketing", at), ctx.ts("marketing", expires))
    ctx.add("marketing.bounces", row)
