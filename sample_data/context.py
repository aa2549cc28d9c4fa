"""What the writers share while generating: the chunk's random source, keys, rows and counts."""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime

from sample_data import formats

DAY = 86_400

# Source keys: unique per system, numbered in order of creation with small gaps (deleted records).
KEY_FORMATS = {
    "crm.contacts": "C{:07d}",
    "crm.contact_preferences": "CP{:08d}",
    "billing.accounts": "BA{:07d}",
    "billing.purchases": "INV{:09d}",
    "billing.payment_methods": "PM{:08d}",
    "support.requesters": "R{:07d}",
    "support.tickets": "T{:08d}",
    "support.dnc_requests": "DNC{:06d}",
    "support.objections": "OBJ{:06d}",
    "marketing.subscribers": "S{:08d}",
    "marketing.subscriptions": "MS{:09d}",
    "marketing.bounces": "BN{:08d}",
    "marketing.spam_complaints": "SPC{:07d}",
}
_IPV4_NETS = ("192.0.2.", "198.51.100.", "203.0.113.")  # documentation ranges: never a real host


class Context:
    """Carries state across chunks (key sequences, counts) and the rows of the current chunk."""

    def __init__(self, *, seed: int, as_of: int, company_domain: str):
        self.seed = seed
        self.as_of = as_of
        self.domain = company_domain
        self.rng = random.Random(seed)
        self.cases: Counter = Counter()
        self.noise: dict[str, int] = {}
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self.truth: list[tuple[str, str, str]] = []
        self._seq = dict.fromkeys(KEY_FORMATS, 1000)

    def start_chunk(self, number: int) -> None:
        """A fresh random source per chunk, derived from the seed (chunks stay reproducible)."""
        self.rng = random.Random(f"concord-sample/{self.seed}/{number}")

    def take_rows(self) -> tuple[dict[str, list[tuple]], list[tuple[str, str, str]]]:
        """The chunk's rows and truth rows; the buffers start empty again."""
        rows, truth = self.rows, self.truth
        self.rows, self.truth = defaultdict(list), []
        return rows, truth

    def key(self, table: str) -> str:
        """The next key of `table`."""
        self._seq[table] += 1 if self.rng.random() < 0.9 else self.rng.randint(2, 4)
        return KEY_FORMATS[table].format(self._seq[table])

    def uuid(self) -> str:
        """A random (version 4) UUID from the seeded source, as product systems use."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def add(self, table: str, row: tuple) -> None:
        """Append a row (values in the column order of `schema`)."""
        self.rows[table].append(row)

    def between(self, start: int, end: int) -> int:
        """A whole second in [start, end] (start when the range is empty)."""
        return start if end <= start else start + int(self.rng.random() * (end - start + 1))

    def ts(self, system: str, epoch: int | None) -> str | None:
        """An instant in the system's timestamp habit."""
        return None if epoch is None else formats.timestamp(system, epoch, self.rng)

    def ip(self) -> str:
        """A client address from the documentation ranges (IPv4 mostly, sometimes IPv6)."""
        if self.rng.random() < 0.1:
            return f"2001:db8:{self.rng.randrange(65536):x}::{self.rng.randrange(65536):x}"
        return f"{self.rng.choice(_IPV4_NETS)}{self.rng.randint(1, 254)}"

    def notice_version(self, epoch: int) -> str:
        """The privacy notice in force when something was captured (a new one every half year)."""
        moment = datetime.fromtimestamp(epoch, UTC)
        return f"pn-{moment.year}.{1 if moment.month <= 6 else 2}"

    def app_version(self, epoch: int) -> str:
        """The app release a consent was given in (a minor release a month)."""
        months = max(0, (epoch - (self.as_of - 3 * 365 * DAY)) // (30 * DAY))
        return f"{4 + months // 12}.{months % 12}.{self.rng.randrange(4)}"

    def count(self, case: str, n: int = 1) -> None:
        """Count a planted case."""
        self.cases[case] += n
