"""Product app: users, in-app consent toggles and Global Privacy Control signals."""

from __future__ import annotations

from sample_data import formats
from sample_data.consent import Event, consent_fields
from sample_data.context import Context
from sample_data.people import Person
from sample_data.records import SourceRecord

# Share of users whose browser sends Sec-GPC: 1, by jurisdiction (states whose law honours it).
GPC_SHARE = {"US-CA": 0.35, "US-CO": 0.10, "US-CT": 0.10}
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 DuckDuckGo/7 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Brave",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 DuckDuckGo/7",
)


def write(ctx: Context, person: Person, record: SourceRecord, events: list[Event]) -> None:
    """One `users` row, its `app_consents` rows and any `gpc_signals`."""
    rng = ctx.rng
    ctx.add(
        "product.users",
        (
            record.key,
            formats.email("product", record.email, rng, ctx.noise),
            formats.phone("product", record.phone, rng, ctx.noise) if record.phone else None,
            formats.free_name(person.first, person.last, rng, ctx.noise) if record.named else None,
            person.country,
            person.region,
            ctx.ts("product", record.created),
        ),
    )
    for event in sorted(events, key=lambda e: e.captured):
        ctx.add(
            "product.app_consents",
            (
                ctx.uuid(),
                record.key,
                *consent_fields(ctx, event),
                ctx.ts("product", event.expires),
                ctx.notice_version(event.captured),
                ctx.app_version(event.captured),
                event.ip or None,
            ),
        )
    if rng.random() < GPC_SHARE.get(person.jurisdiction, 0.0):
        ctx.count("people_with_gpc_signals")
        for _ in range(rng.randint(1, 3)):
            at = ctx.between(record.created, ctx.as_of - 600)
            ctx.add(
                "product.gpc_signals",
                (ctx.uuid(), record.key, ctx.ts("product", at), rng.choice(USER_AGENTS)),
            )
            ctx.count("gpc_signals")
