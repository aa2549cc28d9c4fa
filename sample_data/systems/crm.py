"""CRM: contacts (with date of birth) and their contact preferences, synced nightly."""

from __future__ import annotations

from sample_data import formats
from sample_data.consent import Event, consent_fields
from sample_data.context import DAY, Context
from sample_data.people import Person
from sample_data.records import SourceRecord


def write(ctx: Context, person: Person, record: SourceRecord, events: list[Event]) -> None:
    """One `contacts` row and one `contact_preferences` row per event."""
    rng = ctx.rng
    last = person.last.upper() if rng.random() < 0.03 else person.last  # typed with caps lock on
    email = formats.email("crm", record.email, rng, ctx.noise) if record.email else None
    phone = formats.phone("crm", record.phone, rng, ctx.noise) if record.phone else None
    updated = ctx.between(record.created, ctx.as_of - 2 * DAY)
    ctx.add(
        "crm.contacts",
        (
            record.key,
            person.first,
            last,
            email,
            phone,
            person.street,
            person.city,
            person.postal_code,
            person.region,
            person.country,
            ctx.ts("crm", record.created),
            ctx.ts("crm", updated),
            person.dob if rng.random() < 0.7 else None,
        ),
    )
    for event in sorted(events, key=lambda e: e.captured):
        key = ctx.key("crm.contact_preferences")
        ctx.add(
            "crm.contact_preferences",
            (
                key,
                record.key,
                *consent_fields(ctx, event),
                event.source,
                ctx.notice_version(event.captured),
                f"https://evidence.{ctx.domain}/crm/{key}" if event.evidence else None,
                event.ip or None,
            ),
        )
