"""ISO 8601 durations (P18M, P2Y, P31D, PT5M) added with calendar arithmetic."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_PATTERN = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


@dataclass(frozen=True)
class Duration:
    """A calendar duration: months are added as months (31 Jan + P1M = 28/29 Feb), the rest exactly."""

    text: str
    months: int = 0
    exact: timedelta = timedelta(0)

    def after(self, instant: datetime) -> datetime:
        """`instant` plus this duration."""
        return _add_months(instant, self.months) + self.exact

    def __str__(self) -> str:
        return self.text


def parse_duration(text: str) -> Duration:
    """Parse `PnYnMnWnDTnHnMnS`; ValueError with an example otherwise."""
    match = _PATTERN.match(str(text).strip().upper()) if text is not None else None
    if not match:
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P18M, P31D or PT5M")
    part = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    exact = timedelta(
        weeks=part["weeks"],
        days=part["days"],
        hours=part["hours"],
        minutes=part["minutes"],
        seconds=part["seconds"],
    )
    return Duration(str(text).strip().upper(), months=part["years"] * 12 + part["months"], exact=exact)


def _add_months(instant: datetime, months: int) -> datetime:
    if not months:
        return instant
    index = instant.month - 1 + months
    year, month = instant.year + index // 12, index % 12 + 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)
