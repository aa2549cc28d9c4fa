"""Telephone numbers: unique per person or household, valid for their country, written in many styles."""

from __future__ import annotations

from dataclasses import dataclass

CALLING_CODES = {
    "US": "1", "CA": "1", "GB": "44", "DE": "49", "FR": "33", "NL": "31", "IE": "353",
    "ES": "34", "IT": "39", "BR": "55", "AU": "61",
}  # fmt: skip
# National trunk prefix written before the national significant number.
TRUNK = {"GB": "0", "DE": "0", "FR": "0", "NL": "0", "IE": "0", "AU": "0"}
NANP = frozenset({"US", "CA"})

# Mobile ranges: (prefixes, free digits after the prefix, grouping of the whole national number).
MOBILE = {
    "GB": (
        tuple(f"7{n}" for n in (*range(40, 60), *range(70, 100)) if n not in (70, 91)),
        7,
        (4, 6),
    ),  # 0770x, 0791x: gaps
    "DE": (("151", "152", "157", "171", "172", "175"), 8, (3, 8)),
    "FR": (("60", "61", "62", "64", "65", "66", "67", "68", "75", "76"), 7, (1, 2, 2, 2, 2)),
    "NL": (("61", "62", "63", "64", "65", "68"), 7, (1, 8)),
    "IE": (("83", "85", "86", "87", "89"), 7, (2, 3, 4)),
    "ES": (("60", "61", "62", "63", "64", "65", "66", "67", "68", "69"), 7, (3, 2, 2, 2)),
    "IT": (
        ("320", "328", "333", "338", "339", "340", "347", "348", "349", "366", "380", "392"),
        7,
        (3, 3, 4),
    ),
    "AU": (("40", "41", "42", "43", "46"), 7, (3, 3, 3)),
}
# Landlines: first subscriber digits allowed after the area code, and the subscriber length.
LANDLINE = {
    "GB": ("234", {2: 8, 3: 7}),
    "DE": ("23456789", {2: 8, 3: 7}),
    "FR": ("1234", {1: 8}),
    "NL": ("2345678", {2: 7}),
    "IE": ("2345678", {1: 7, 2: 7}),
    "ES": ("12345", {2: 7}),
    "IT": ("3456789", {2: 8, 3: 7}),
    "BR": ("2345", {2: 8}),
    "AU": ("89", {1: 8}),
}
# NANP exchanges (NXX): no N11 service codes, no 555 or reserved ones; even positions for mobiles,
# odd positions for household landlines, so the two never collide.
_EXCHANGES = tuple(f"{x}" for x in range(200, 1000) if x % 100 != 11 and x not in (555, 950, 958, 959, 976))
_NANP_MOBILE = _EXCHANGES[0::2]
_NANP_LANDLINE = _EXCHANGES[1::2]
_SCRAMBLE = 1_000_003  # prime multiplier: idx -> idx * A + offset (mod M) is a bijection on [0, M)


@dataclass(frozen=True, slots=True)
class Phone:
    """One number: its country, national significant number and how its digits are grouped."""

    country: str
    nsn: str
    groups: tuple[int, ...]

    @property
    def cc(self) -> str:
        """Country calling code."""
        return CALLING_CODES[self.country]

    @property
    def e164(self) -> str:
        """E.164, e.g. +14155550100."""
        return f"+{self.cc}{self.nsn}"

    def _parts(self) -> list[str]:
        parts, at = [], 0
        for size in self.groups:
            parts.append(self.nsn[at : at + size])
            at += size
        return parts

    def format(self, style: str) -> str:
        """The number written in `style`: e164, intl, national, digits, dashed or dotted."""
        if style == "e164":
            return self.e164
        parts = self._parts()
        trunk = TRUNK.get(self.country, "")
        if self.country in NANP:
            area, exch, line = parts
            return {
                "intl": f"+1 {area}-{exch}-{line}",
                "national": f"({area}) {exch}-{line}",
                "digits": self.nsn,
                "dashed": f"{area}-{exch}-{line}",
                "dotted": f"{area}.{exch}.{line}",
            }[style]
        if self.country == "BR":
            area, rest = self.nsn[:2], self.nsn[2:]
            local = f"{rest[:-4]}-{rest[-4:]}"
            return f"+55 {area} {local}" if style == "intl" else f"({area}) {local}"
        if style == "intl":
            return f"+{self.cc} " + " ".join(parts)
        if style == "digits":
            return trunk + self.nsn
        joiner = {"dashed": "-", "dotted": "."}.get(style, " ")
        if style != "national" and self.country not in ("DE", "NL", "FR"):
            joiner = " "  # dashes and dots are a German, Dutch and French habit
        return trunk + joiner.join(parts)


def _space(modulus: int, idx: int, seed: int) -> int:
    """Map idx to a unique slot in [0, modulus) that looks random (requires idx < modulus)."""
    if idx >= modulus:
        raise ValueError(f"number space of {modulus} exhausted at index {idx}")
    return (idx * _SCRAMBLE + seed * 2_654_435_761) % modulus


def _digits(value: int, width: int) -> str:
    return str(value).zfill(width)


def mobile(country: str, area: str, idx: int, seed: int) -> Phone:
    """The mobile number of person `idx` (unique among all mobiles of that country)."""
    if country in NANP:
        slot = _space(len(_NANP_MOBILE) * 10_000, idx, seed)
        return Phone(country, area + _NANP_MOBILE[slot // 10_000] + _digits(slot % 10_000, 4), (3, 3, 4))
    if country == "BR":
        slot = _space(10**8, idx, seed)
        return Phone(country, f"{area}9{_digits(slot, 8)}", (2, 5, 4))
    prefixes, free, groups = MOBILE[country]
    slot = _space(len(prefixes) * 10**free, idx, seed)
    return Phone(country, prefixes[slot % len(prefixes)] + _digits(slot // len(prefixes), free), groups)


def landline(country: str, area: str, idx: int, seed: int) -> Phone:
    """The landline of household `idx` in `area` (unique among all landlines of that country)."""
    if country in NANP:
        slot = _space(len(_NANP_LANDLINE) * 10_000, idx, seed)
        return Phone(country, area + _NANP_LANDLINE[slot // 10_000] + _digits(slot % 10_000, 4), (3, 3, 4))
    first, lengths = LANDLINE[country]
    if country == "GB" and area == "20":
        first = "78"  # London numbers start 020 7 or 020 8
    size = lengths[len(area)]
    slot = _space(len(first) * 10 ** (size - 1), idx, seed)
    nsn = area + first[slot % len(first)] + _digits(slot // len(first), size - 1)
    return Phone(country, nsn, _landline_groups(country, area, len(nsn)))


def _landline_groups(country: str, area: str, length: int) -> tuple[int, ...]:
    rest = length - len(area)
    special = {"FR": (1, 2, 2, 2, 2), "ES": (2, 3, 2, 2), "BR": (2, 4, 4)}
    if country in special:
        return special[country]
    if rest == 8:
        return (len(area), 4, 4)
    return (len(area), rest) if country == "DE" else (len(area), 3, 4)


def space_size(country: str) -> int:
    """How many distinct mobiles `mobile()` can hand out for a country (bounds the customer count)."""
    if country in NANP:
        return len(_NANP_MOBILE) * 10_000
    if country == "BR":
        return 10**8
    prefixes, free, _ = MOBILE[country]
    return len(prefixes) * 10**free
