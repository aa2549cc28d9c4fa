"""Pure normalisation of contact points, names, countries and jurisdictions (no database)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

from core.errors import InvalidInput

KINDS = ("email", "phone", "postal")

_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\].]+$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_NON_LETTER = re.compile(r"[^a-z]+")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}
# Countries whose jurisdiction is finer than the country (state / province law).
SUBDIVIDED = frozenset({"US", "CA"})

_STREET_WORDS = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "place": "pl",
    "court": "ct",
    "square": "sq",
    "terrace": "ter",
    "highway": "hwy",
    "apartment": "apt",
    "suite": "ste",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}
_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau", "mme", "mlle"}
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"})
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "da", "di", "del", "della", "le", "la", "du", "dos", "ter"}
)


def normalise_email(raw: str) -> str:
    """Lower-case and trim an email address; InvalidInput(field="email") if it is not one."""
    value = (raw or "").strip().lower()
    if value.startswith("mailto:"):
        value = value[7:].strip()
    if len(value) > 320 or not _EMAIL.match(value):
        raise InvalidInput(f"{raw!r} is not an email address (expected name@domain.tld)", field="email")
    return value


def normalise_phone(raw: str, default_region: str = "US") -> str:
    """The E.164 form of a phone number (national numbers read in `default_region`)."""
    return _phone(str(raw or "").strip(), (default_region or "US").upper())


@lru_cache(maxsize=200_000)
def _phone(raw: str, region: str) -> str:
    number = _parse(raw, region)
    formatted = _e164(number) if number is not None and phonenumbers.is_possible_number(number) else None
    if formatted and not phonenumbers.is_valid_number(number):
        # Metadata lags new ranges, so a possible number is kept, but only if its E.164 form reads back
        # as itself (odd inputs such as "000000" would not, and normalising must be idempotent).
        again = _parse(formatted, region)
        formatted = formatted if again is not None and _e164(again) == formatted else None
    if not formatted:
        raise InvalidInput(
            f"{raw!r} is not a phone number; send it in international form such as +14155550100",
            field="phone",
        )
    return formatted


def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_e164(value: str) -> bool:
    """Whether `value` already has the shape of an E.164 number (a cheap pre-check for bulk lookups)."""
    return bool(_E164.match(value))


def _fold(text: str) -> str:
    # Accents off, case folded: "Müller" and "MULLER" compare equal.
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def normalise_postal(raw: str) -> str:
    """A comparable key for a one-line postal address: folded, punctuation off, street words abbreviated."""
    parts = []
    for part in (raw or "").split(","):
        words = re.sub(r"[^\w\s]", " ", _fold(part)).split()
        words = [_STREET_WORDS.get(word, word) for word in words]
        if words:
            parts.append(" ".join(words))
    if not parts:
        raise InvalidInput("postal address is empty; send street, city, postal code, country", field="postal")
    return ", ".join(parts)


def postal_line(
    street: str | None, city: str | None, postal_code: str | None, region: str | None, country: str | None
) -> str | None:
    """One comparable line for an address, or None when there is no street to compare."""
    if not street or not street.strip():
        return None
    code = re.sub(r"\s+", "", postal_code or "").upper()
    # Commas inside a field ("12, Main St") must not shift the components.
    parts = (p.replace(",", " ") for p in (street, city, code, region, country) if p and p.strip())
    return normalise_postal(", ".join(parts))


def normalise_contact_point(kind: str, raw: str, default_region: str = "US") -> str:
    """Normalise a contact point of `kind` (email, phone or postal)."""
    if kind == "email":
        return normalise_email(raw)
    if kind == "phone":
        return normalise_phone(raw, default_region)
    if kind == "postal":
        return normalise_postal(raw)
    raise InvalidInput(f"unknown contact point kind {kind!r}; use email, phone or postal", field="kind")


def region_for(country: str | None) -> str:
    """Default phone region for a country: the country itself when phonenumbers knows it, else US."""
    code = (country or "").strip().upper()
    code = _COUNTRY_ALIASES.get(code, code)
    return code if code in phonenumbers.SUPPORTED_REGIONS else "US"


def normalise_country(raw: str | None) -> str | None:
    """ISO 3166-1 alpha-2 upper case (UK is read as GB); InvalidInput(field="country") otherwise."""
    if raw is None or not raw.strip():
        return None
    code = raw.strip().upper()
    code = _COUNTRY_ALIASES.get(code, code)
    if not _COUNTRY.match(code):
        raise InvalidInput(
            f"{raw!r} is not an ISO 3166-1 alpha-2 country code such as DE or US", field="country"
        )
    return code


def normalise_region(raw: str | None) -> str | None:
    """A state or province code, upper case, or None."""
    if raw is None or not raw.strip():
        return None
    code = raw.strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{1,3}", code):
        raise InvalidInput(f"{raw!r} is not a region code such as CA, NY or ON", field="region")
    return code


def normalise_jurisdiction(raw: str | None) -> str | None:
    """An explicit jurisdiction such as DE, GB, US-CA or CA-ON, upper case, or None."""
    if raw is None or not raw.strip():
        return None
    code = raw.strip().upper().replace("_", "-")
    if not _JURISDICTION.match(code):
        raise InvalidInput(
            f"{raw!r} is not a jurisdiction such as DE, GB, US-CA or CA-ON", field="jurisdiction"
        )
    return code


def derive_jurisdiction(country: str | None, region: str | None) -> tuple[str | None, str | None]:
    """Jurisdiction from country and region, and its basis (`country` or `country_region`)."""
    if not country:
        return None, None
    if country in SUBDIVIDED and region:
        return f"{country}-{region}", "country_region"
    return country, "country"


def name_key(text: str | None) -> str:
    """A name for comparison: accents off, case folded, letters only."""
    folded = _fold(text or "")
    if folded.isascii():
        return _NON_LETTER.sub("", folded)
    return "".join(ch for ch in folded if ch.isalpha())


def split_full_name(full: str | None) -> tuple[str | None, str | None]:
    """Split "First Middle Last" or "Last, First" into (first, last); particles stay with the last name."""
    if not full or not full.strip():
        return None, None
    if "," in full:
        last, _, first = full.partition(",")
        return (first.strip() or None), (last.strip() or None)
    words = [w for w in full.split() if name_key(w) not in _TITLES]
    while len(words) > 1 and name_key(words[-1]) in _SUFFIXES:
        words.pop()
    if not words:
        return None, None
    if len(words) == 1:
        return None, words[0]
    start = len(words) - 1
    while start > 1 and name_key(words[start - 1]) in _PARTICLES:
        start -= 1
    return words[0], " ".join(words[start:])


def first_name_key(first: str | None) -> str:
    """The compared first name: the first word of the given name, folded."""
    words = [w for w in (first or "").replace(".", " ").split() if name_key(w) not in _TITLES]
    return name_key(words[0]) if words else ""
