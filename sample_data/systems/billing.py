"""Billing: accounts (card-holder names, tax ids where invoices need them), purchases, payment cards."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from sample_data import formats, vocab
from sample_data.consent import Event
from sample_data.context import Context
from sample_data.people import Person, ascii_part
from sample_data.records import SourceRecord

# Processor test ranges, so a tokenised number looks like a card but is nobody's card.
CARD_BINS = (("visa", "411111", 16, 0.35), ("visa", "424242", 16, 0.2), ("mastercard", "555555", 16, 0.2),
             ("mastercard", "510510", 16, 0.15), ("amex", "378282", 15, 0.1))  # fmt: skip
SOFT_OPT_IN_NOTICE = {"GB": 0.75}  # UK shops tell buyers they may opt out of marketing at checkout
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_MONTH_LETTERS = "ABCDEHLMPRST"


def write(ctx: Context, person: Person, record: SourceRecord, events: list[Event]) -> None:
    """One `accounts` row, its purchases and its payment cards."""
    rng = ctx.rng
    ctx.add(
        "billing.accounts",
        (
            record.key,
            formats.billing_name(person.first, person.last, rng, ctx.noise),
            formats.email("billing", record.email, rng, ctx.noise) if record.email else None,
            formats.phone("billing", record.phone, rng, ctx.noise) if record.phone else None,
            person.street,
            person.city,
            person.postal_code,
            person.region,
            person.country,
            ctx.ts("billing", record.created),
            _tax_id(ctx, person),
        ),
    )
    currency = vocab.country(person.country).currency
    count = 1 + min(11, int(math.log(1 - rng.random()) / math.log(0.55)))  # geometric: most buy once or twice
    times = sorted(ctx.between(record.created, ctx.as_of - 3600) for _ in range(count))
    notice_share = SOFT_OPT_IN_NOTICE.get(person.country, 0.5)
    for at in times:
        notice = 1 if rng.random() < notice_share else 0
        cents = int(rng.lognormvariate(8.3, 0.8))
        ctx.add(
            "billing.purchases",
            (ctx.key("billing.purchases"), record.key, ctx.ts("billing", at), cents, currency, notice),
        )
        ctx.count("purchases")
        ctx.count("purchases_with_soft_opt_in_notice", notice)
    for _ in range(1 if rng.random() < 0.88 else 2):
        _card(ctx, record)


def _card(ctx: Context, record: SourceRecord) -> None:
    rng = ctx.rng
    brand, bin_, length, _ = rng.choices(CARD_BINS, weights=[b[3] for b in CARD_BINS])[0]
    body = bin_ + "".join(str(rng.randrange(10)) for _ in range(length - len(bin_) - 1))
    pan = body + _luhn_digit(body)
    year = datetime.fromtimestamp(ctx.as_of, UTC).year + rng.randint(0, 4)
    ctx.add(
        "billing.payment_methods",
        (ctx.key("billing.payment_methods"), record.key, brand, pan, pan[-4:], rng.randint(1, 12), year,
         ctx.ts("billing", record.created)),
    )  # fmt: skip


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def _tax_id(ctx: Context, person: Person) -> str | None:
    """Tax numbers where invoices require them: Italian codice fiscale, Spanish DNI, Brazilian CPF."""
    rng = ctx.rng
    if person.country == "ES":
        number = rng.randrange(10_000_000, 100_000_000)
        ctx.count("national_ids")
        return f"{number}{_DNI_LETTERS[number % 23]}"
    if person.country == "BR":
        digits = [rng.randrange(10) for _ in range(9)]
        for size in (10, 11):
            total = sum(d * w for d, w in zip(digits, range(size, 1, -1), strict=False))
            digits.append(0 if total % 11 < 2 else 11 - total % 11)
        text = "".join(map(str, digits))
        ctx.count("national_ids")
        return f"{text[:3]}.{text[3:6]}.{text[6:9]}-{text[9:]}"
    if person.country == "IT":
        year, month, day = person.dob.split("-")
        ctx.count("national_ids")
        return (
            _consonants(person.last) + _consonants(person.first) + year[2:]
            + _MONTH_LETTERS[int(month) - 1] + day + rng.choice("ABCDEFGHL") + f"{rng.randrange(1000):03d}"
            + rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        )  # fmt: skip
    return None


def _consonants(name: str) -> str:
    """The first three consonants of a name, padded with X, as the codice fiscale starts."""
    return ("".join(c for c in ascii_part(name).upper() if c not in "AEIOU") + "XXX")[:3]
