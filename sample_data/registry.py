"""The national do-not-call registry snapshot: some customers' US numbers among many strangers'."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sample_data import phones, vocab

LISTED_SHARE = 0.2  # of US customers whose number the company knows
STRANGERS_PER_CUSTOMER = 1.5  # registry numbers that belong to nobody in the sample
SNAPSHOT_AGE_DAYS = 3


def snapshot_date(as_of: int) -> datetime:
    """When the snapshot was downloaded: early morning a few days before as_of."""
    day = datetime.fromtimestamp(as_of, UTC).replace(hour=6, minute=0, second=0, microsecond=0)
    return day - timedelta(days=SNAPSHOT_AGE_DAYS)


def write(folder: Path, *, as_of: int, seed: int, customers: int, listed: set[str]) -> tuple[Path, int]:
    """Write `us_national_dnc_<date>.csv` (column `phone`, 10-digit national numbers, sorted)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("us_national_dnc_*.csv"):
        old.unlink()
    rng = random.Random(f"concord-sample/{seed}/registry")
    areas = [a for place in vocab.country("US").places for a in place.areas]
    numbers = set(listed)
    strangers = int(len(listed) * STRANGERS_PER_CUSTOMER) + 10
    for n in range(strangers):
        # Mobiles numbered after the last customer: valid, unique, and nobody's in the sample.
        numbers.add(phones.mobile("US", rng.choice(areas), customers + n, seed).nsn)
    path = folder / f"us_national_dnc_{snapshot_date(as_of):%Y-%m-%d}.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["phone"])
        writer.writerows([number] for number in sorted(numbers))
    return path, len(numbers)
