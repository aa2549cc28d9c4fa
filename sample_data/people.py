"""The people behind the records: names, addresses, emails, phones, households and the systems they use."""

from __future__ import annotations

import functools
import itertools
import random
import unicodedata
from dataclasses import dataclass
from datetime import date

from sample_data import phones, vocab
from sample_data.phones import Phone

DAY = 86_400
HISTORY_DAYS = 3 * 365  # records spread over the last three years before as_of
SYSTEM_WEIGHTS = {"marketing": 0.8, "product": 0.6, "crm": 0.45, "billing": 0.45, "support": 0.3}
SYSTEM_COUNTS = ((1, 0.25), (2, 0.35), (3, 0.25), (4, 0.15))  # ~2.3 systems per person
HOUSEHOLD_SIZES = ((1, 0.93), (2, 0.055), (3, 0.015))
TWO_EMAIL_SHARE = 0.08  # of people in two or more systems
_EMAIL_PATTERNS = ("{f}.{l}", "{f}{l}", "{fi}{l}", "{f}_{l}", "{f}.{li}", "{l}.{f}", "{f}{li}")


@dataclass(slots=True)
class Person:
    """One real person; `phone` is the number they give every system (a shared landline in households)."""

    idx: int
    person_id: str
    country: str
    region: str
    lang: str
    first: str
    last: str
    street: str
    city: str
    postal_code: str
    dob: str
    email: str
    phone: Phone
    since: int
    systems: tuple[str, ...] = ()
    work_email: str | None = None
    household: int | None = None
    on_landline: bool = False

    @property
    def jurisdiction(self) -> str:
        """DE, GB, US-CA, CA-ON... (country, plus state or province in the US and Canada)."""
        return f"{self.country}-{self.region}" if self.region else self.country


def weighted(rng: random.Random, options: tuple[tuple[object, float], ...]):
    """One value from (value, weight) pairs."""
    values, cumulative = _CUMULATIVE.get(options) or _CUMULATIVE.setdefault(
        options, ([o for o, _ in options], list(itertools.accumulate(w for _, w in options)))
    )
    return rng.choices(values, cum_weights=cumulative)[0]


_CUMULATIVE: dict[tuple, tuple[list, list[float]]] = {}  # per option table: values and running weight totals


@functools.cache
def ascii_part(text: str) -> str:
    """A name as it appears in an email address: no accents, spaces or apostrophes, lower case."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(vocab.TRANSLIT))
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def _postal(rng: random.Random, pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randrange(10)))
        elif ch == "@":
            out.append(rng.choice("ABDEFGHJLNPQRSTUWXYZ"))
        else:
            out.append(ch)
    return "".join(out)


def _street(rng: random.Random, style: str) -> str:
    template, words, types = _street_parts(style)
    return template.format(n=rng.randint(1, 240), w=rng.choice(words), t=rng.choice(types))


@functools.cache
def _street_parts(style: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    template, words, types = vocab.STREETS[style]
    return template, tuple(words.split("|") if "|" in words else words.split()), tuple(types.split())


class PeopleFactory:
    """Makes people in order of their index; households are made together and share an address."""

    def __init__(self, *, seed: int, as_of: int, customers: int):
        self.seed = seed
        self.as_of = as_of
        self.customers = customers
        self.next_idx = 0
        self.next_household = 0
        self._taken_emails: set[str] = set()
        self.year = date.fromtimestamp(as_of).year
        self.countries = vocab.countries()
        self.country_weights = [c.weight for c in self.countries]

    def unit(self, rng: random.Random) -> list[Person]:
        """The next single person or household (cut short at the requested number of people)."""
        size = min(weighted(rng, HOUSEHOLD_SIZES), self.customers - self.next_idx)
        country = rng.choices(self.countries, weights=self.country_weights)[0]
        place = rng.choices(country.places, weights=country.place_weights)[0]
        lang = vocab.QUEBEC_LANG if place.region == "QC" else country.lang
        street = _street(rng, "fr" if lang == "fr" else country.street)
        postal = _postal(rng, place.postal)
        area = rng.choice(place.areas)
        last = rng.choice(vocab.LAST[lang])
        firsts = self._first_names(rng, lang, size)
        household = landline = None
        if size > 1:
            household = self.next_household
            self.next_household += 1
            landline = phones.landline(country.code, area, household, self.seed)
        people = []
        for n, first in enumerate(firsts):
            idx = self.next_idx
            self.next_idx += 1
            person = self._person(rng, idx, country, place, lang, street, postal, area, first, last)
            if landline is not None:
                person.household = household
                # The first two members give the landline, so the shared number is really shared.
                person.on_landline = n < 2 or rng.random() < 0.5
                if person.on_landline:
                    person.phone = landline
            people.append(person)
        return people

    def _first_names(self, rng: random.Random, lang: str, size: int) -> list[str]:
        """First names with different initials, so "J. Doe" cannot stand for two household members."""
        names: list[str] = []
        while len(names) < size:
            name = rng.choice(vocab.FIRST[lang])
            if all(name[0] != other[0] for other in names):
                names.append(name)
        return names

    def _person(self, rng, idx, country, place, lang, street, postal, area, first, last) -> Person:
        born = self.year - rng.randint(18, 85)
        dob = f"{born}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        person = Person(
            idx=idx,
            person_id=f"P{idx + 1:07d}",
            country=country.code,
            region=place.region,
            lang=lang,
            first=first,
            last=last,
            street=street,
            city=place.city,
            postal_code=postal,
            dob=dob,
            email=self._email(rng, idx, first, last, rng.choice(country.domains), str(born)[-2:]),
            phone=phones.mobile(country.code, area, idx, self.seed),
            since=self.as_of - rng.randint(5 * DAY, HISTORY_DAYS * DAY),
        )
        count = weighted(rng, SYSTEM_COUNTS)
        person.systems = _pick_systems(rng, count)
        if count > 1 and rng.random() < TWO_EMAIL_SHARE:
            domain = rng.choice(vocab.WORK_DOMAINS)
            work = f"{ascii_part(first)}.{ascii_part(last)}"
            person.work_email = self._unique(idx, domain, work, f"{ascii_part(first)[0]}{ascii_part(last)}")
        return person

    def _email(self, rng, idx: int, first: str, last: str, domain: str, year: str) -> str:
        f, lname = ascii_part(first), ascii_part(last)
        local = rng.choice(_EMAIL_PATTERNS).format(f=f, l=lname, fi=f[0], li=lname[0])
        style = rng.random()
        if style < 0.45:
            return self._unique(idx, domain, local, local + year)
        if style < 0.75:
            return self._unique(idx, domain, local + year, f"{local}{rng.randint(1, 999)}")
        return self._unique(idx, domain, f"{local}{rng.randint(1, 999)}", local + year)

    def _unique(self, idx: int, domain: str, *locals_: str) -> str:
        """The first free `local@domain`; else `local.<idx>`, which only this person can produce."""
        for local in locals_:
            email = f"{local}@{domain}"
            if email not in self._taken_emails:
                self._taken_emails.add(email)
                return email
        # No other form has a dot right before its digits, and the digits are this person's index.
        return f"{locals_[0].rstrip('0123456789')}.{idx}@{domain}"


def _pick_systems(rng: random.Random, count: int) -> tuple[str, ...]:
    names = list(SYSTEM_WEIGHTS)
    weights = list(SYSTEM_WEIGHTS.values())
    chosen = []
    for _ in range(count):
        i = rng.choices(range(len(names)), weights=weights)[0]
        chosen.append(names.pop(i))
        weights.pop(i)
    order = {name: n for n, name in enumerate(SYSTEM_WEIGHTS)}
    return tuple(sorted(chosen, key=order.__getitem__))
