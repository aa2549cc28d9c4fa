"""Instants: parsing the forms real producers send."""

from datetime import UTC, datetime

import pytest

from core.clock import frozen, iso, now, parse_instant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T12:00:00+02:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00.123456789Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T10:00:00.5+00:00", datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_parse_instant(text, expected):
    assert parse_instant(text) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2024-13-01T00:00:00Z"])
def test_parse_instant_rejects_garbage(text):
    with pytest.raises(ValueError):
        parse_instant(text)


def test_frozen_clock():
    at = datetime(2020, 1, 1, tzinfo=UTC)
    with frozen(at):
        assert now() == at
    assert now() > at
    assert iso(at) == "2020-01-01T00:00:00Z"
