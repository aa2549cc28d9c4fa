"""Each source system's formatting habits: timestamps, email noise, phone styles and name forms."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

from sample_data.phones import Phone

# How each system writes phone numbers: (style, weight).
PHONE_STYLES = {
    "crm": (("national", 0.7), ("intl", 0.2), ("digits", 0.1)),
    "billing": (("intl", 0.75), ("e164", 0.15), ("national", 0.1)),
    "support": (("national", 0.4), ("intl", 0.2), ("dashed", 0.15), ("dotted", 0.1), ("digits", 0.15)),
    "marketing": (("e164", 0.6), ("digits", 0.4)),
    "product": (("e164", 0.95), ("intl", 0.05)),
}
# How often each system keeps an email as typed: (share with case changes, share with stray spaces).
EMAIL_NOISE = {
    "crm": (0.12, 0.03),
    "billing": (0.30, 0.04),
    "support": (0.15, 0.05),
    "marketing": (0.04, 0.0),
    "product": (0.08, 0.01),
}
_STYLE_NAMES = {name: tuple(s for s, _ in styles) for name, styles in PHONE_STYLES.items()}
_STYLE_CUMULATIVE = {
    name: tuple(itertools.accumulate(w for _, w in styles)) for name, styles in PHONE_STYLES.items()
}


def timestamp(system: str, epoch: int, rng: random.Random) -> str:
    """An instant in the system's own ISO 8601 habit (all UTC, written differently)."""
    day, second = divmod(epoch, 86_400)
    date = _DAYS.get(day) or _DAYS.setdefault(
        day, datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%dT")
    )
    clock = f"{date}{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
    if system == "billing":
        return clock + "+00:00"
    if system == "marketing":
        return f"{clock}.{int(rng.random() * 1000):03d}Z"
    if system == "product":
        return f"{clock}.{int(rng.random() * 1_000_000):06d}Z"
    return clock + "Z"


_DAYS: dict[int, str] = {}  # day number -> "YYYY-MM-DDT" (a few thousand days at most)


def phone(system: str, number: Phone, rng: random.Random, counts: dict) -> str:
    """The number as this system stores it; counts each style used."""
    style = rng.choices(_STYLE_NAMES[system], cum_weights=_STYLE_CUMULATIVE[system])[0]
    counts[style] = counts.get(style, 0) + 1
    return number.format(style)


def email(system: str, address: str, rng: random.Random, counts: dict) -> str:
    """The address as typed into this system: sometimes in other case, sometimes with spaces around."""
    case_share, space_share = EMAIL_NOISE[system]
    out = address
    roll = rng.random()
    if roll < case_share:
        local, _, domain = address.partition("@")
        if system == "billing" and roll < case_share * 0.7:
            out = address.upper()
        else:
            out = ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize()
        if out != address:
            counts["email_case_variants"] = counts.get("email_case_variants", 0) + 1
    if rng.random() < space_share:
        out = rng.choice((" ", "", "  ")) + out + rng.choice((" ", "\t", " "))
        counts["email_whitespace"] = counts.get("email_whitespace", 0) + 1
    return out


def billing_name(first: str, last: str, rng: random.Random, counts: dict) -> str:
    """Billing's `full_name`: "Jane Doe", or the card-holder form "DOE, JANE" (sometimes "DOE, J")."""
    roll = rng.random()
    if roll < 0.35:
        counts["names_last_first"] = counts.get("names_last_first", 0) + 1
        return f"{last.upper()}, {first.upper()}"
    if roll < 0.42:
        counts["names_last_first"] = counts.get("names_last_first", 0) + 1
        counts["names_initial_only"] = counts.get("names_initial_only", 0) + 1
        return f"{last.upper()}, {first[0].upper()}"
    if roll < 0.5:
        counts["names_last_first"] = counts.get("names_last_first", 0) + 1
        return f"{last}, {first}"
    return f"{first} {last}"


def free_name(first: str, last: str, rng: random.Random, counts: dict) -> str:
    """A name typed by the person (support, product): mostly proper case, sometimes all lower case."""
    if rng.random() < 0.08:
        counts["names_lower_case"] = counts.get("names_lower_case", 0) + 1
        return f"{first} {last}".lower()
    return f"{first} {last}"
