"""Support desk: requesters, tickets (inquiries drive EBR and implied consent), DNC requests, objections."""

from __future__ import annotations

from sample_data import formats
from sample_data.consent import EU, Event
from sample_data.context import DAY, Context
from sample_data.people import Person, weighted
from sample_data.records import SourceRecord

TICKET_KINDS = (("inquiry", 0.5), ("billing_question", 0.3), ("complaint", 0.2))
SUBJECTS = {
    "inquiry": ("Question about sizing", "Is this jacket waterproof?", "Store opening hours",
                "Do you ship to my area?", "Product availability", "Gift card question"),
    "billing_question": ("Charged twice for my order", "Invoice copy needed", "Refund status",
                         "Update billing address", "Payment declined"),
    "complaint": ("Order arrived damaged", "Late delivery", "Wrong item received",
                  "Too many marketing calls", "Rude phone agent"),
}  # fmt: skip
DNC_SHARE = 0.05
DNC_NOTES = {
    "voice": ("Customer asked us to stop calling", "Remove from call list", "Do not call - requested on chat",
              "Angry about sales calls, wants no more"),
    "sms": ("Asked not to be texted again", "No more promo texts please", "Stop SMS - requested by phone"),
}  # fmt: skip
OBJECTION_PURPOSES = (
    ("marketing", 0.6),
    ("advertising.third_party_sharing", 0.25),
    ("marketing.offers", 0.15),
)
OBJECTION_NOTES = ("Objects to direct marketing (Art. 21 GDPR)", "Objects to profiling for advertising",
                   "Wants no marketing of any kind", "Objection received by letter")  # fmt: skip


def write(ctx: Context, person: Person, record: SourceRecord, events: list[Event]) -> None:
    """One `requesters` row with its tickets, and sometimes a do-not-call request or an objection."""
    rng = ctx.rng
    phone_text = formats.phone("support", record.phone, rng, ctx.noise) if record.phone else None
    ctx.add(
        "support.requesters",
        (
            record.key,
            formats.free_name(person.first, person.last, rng, ctx.noise),
            formats.email("support", record.email, rng, ctx.noise) if record.email else None,
            phone_text,
            person.country,
            person.region,
            ctx.ts("support", record.created),
        ),
    )
    latest = ctx.as_of - 3600
    for at in sorted(ctx.between(record.created, latest) for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4)))):
        kind = weighted(rng, TICKET_KINDS)
        ticket = (
            ctx.key("support.tickets"),
            record.key,
            ctx.ts("support", at),
            kind,
            rng.choice(SUBJECTS[kind]),
        )
        ctx.add("support.tickets", ticket)
        ctx.count("inquiries" if kind == "inquiry" else "other_tickets")
    if record.phone and rng.random() < DNC_SHARE:
        at = ctx.between(record.created, ctx.as_of - DAY)
        channel = "voice" if rng.random() < 0.75 else "sms"
        said = formats.phone("support", record.phone, rng, ctx.noise)
        ctx.add(
            "support.dnc_requests",
            (
                ctx.key("support.dnc_requests"),
                record.key,
                said,
                channel,
                ctx.ts("support", at),
                rng.choice(DNC_NOTES[channel]),
            ),
        )
        ctx.count("dnc_requests")
    if rng.random() < (0.06 if person.country in EU or person.country == "GB" else 0.01):
        at = ctx.between(record.created, ctx.as_of - 4 * DAY)
        # Letters and calls are keyed in by agents hours to days after the customer objected.
        received = at + rng.randint(600, 3 * DAY)
        ctx.add(
            "support.objections",
            (ctx.key("support.objections"), record.key, weighted(rng, OBJECTION_PURPOSES), ctx.ts("support", at),
             ctx.ts("support", received), rng.choice(OBJECTION_NOTES)),
        )  # fmt: skip
        ctx.count("objections_support")
