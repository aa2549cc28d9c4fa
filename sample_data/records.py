"""Which contact points and names each of a person's source records carries.

The plan keeps every person findable by a sensible matcher: records are linked by a shared normalised
email, or by the same phone plus the same last name and first name (or initial). When a person's records
do not all share one email (two emails, or a record without one), every record carries phone and name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sample_data.context import DAY, Context
from sample_data.people import Person
from sample_data.phones import Phone

RECORD_TABLE = {
    "crm": "crm.contacts",
    "billing": "billing.accounts",
    "support": "support.requesters",
    "marketing": "marketing.subscribers",
    "product": "product.users",
}
NO_EMAIL_SHARE = {"crm": 0.05, "support": 0.10}  # contacts taken by phone, callers who gave no email
PHONE_SHARE = {"crm": 0.8, "billing": 0.7, "support": 0.6, "marketing": 0.3, "product": 0.6}
NAME_SHARE = {"marketing": 0.7, "product": 0.8}  # sign-up forms that do not ask for a name
WORK_EMAIL_SYSTEMS = ("billing", "support", "crm")  # where people give their work address


@dataclass(slots=True)
class SourceRecord:
    """One person's record in one system."""

    system: str
    key: str
    email: str | None
    phone: Phone | None
    named: bool
    created: int


def plan(ctx: Context, person: Person) -> list[SourceRecord]:
    """The person's records, one per system they use, with keys taken in system order."""
    rng = ctx.rng
    systems = person.systems
    emails: dict[str, str | None] = dict.fromkeys(systems, person.email)
    if person.work_email:
        work_system = next((s for s in WORK_EMAIL_SYSTEMS if s in systems), systems[-1])
        emails[work_system] = person.work_email
    elif len(systems) > 1 or person.on_landline:
        for system in systems:
            if rng.random() < NO_EMAIL_SHARE.get(system, 0.0):
                emails[system] = None
    strict = person.on_landline or len(set(emails.values())) > 1
    latest = ctx.as_of - 3 * DAY
    records = []
    created = person.since
    for n, system in enumerate(systems):
        if n:
            created = ctx.between(person.since, person.since + (latest - person.since) // 2)
        email = emails[system]
        has_phone = strict or email is None or rng.random() < PHONE_SHARE[system]
        named = strict or rng.random() < NAME_SHARE.get(system, 1.0)
        records.append(
            SourceRecord(
                system=system,
                key=ctx.uuid() if system == "product" else ctx.key(RECORD_TABLE[system]),
                email=email,
                phone=person.phone if has_phone else None,
                named=named,
                created=min(created, latest),
            )
        )
    return records
