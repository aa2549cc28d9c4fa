"""Generated numbers are valid for their country in every written form, and unique per person."""

from __future__ import annotations

import phonenumbers
import pytest

from sample_data import phones, vocab
from sample_data.__main__ import main

STYLES = ("e164", "intl", "national", "digits", "dashed", "dotted")


@pytest.mark.parametrize("country", [c.code for c in vocab.countries()])
def test_every_form_parses_back_to_the_same_valid_number(country):
    for place in vocab.country(country).places:
        for area in place.areas:
            for idx in range(0, 2_900_000, 290_001):
                for number in (phones.mobile(country, area, idx, 7), phones.landline(country, area, idx, 7)):
                    for style in STYLES:
                        parsed = phonenumbers.parse(number.format(style), country)
                        assert phonenumbers.is_valid_number(parsed), (style, number.format(style))
                        assert _e164(parsed) == number.e164


def _e164(parsed) -> str:
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def test_numbers_are_unique_per_index_and_mobiles_never_meet_landlines():
    mobiles = {phones.mobile("US", "415", idx, 3).e164 for idx in range(20_000)}
    landlines = {phones.landline("US", "415", idx, 3).e164 for idx in range(20_000)}
    assert len(mobiles) == len(landlines) == 20_000
    assert not mobiles & landlines
    with pytest.raises(ValueError):
        phones.mobile("US", "415", phones.space_size("US"), 3)


def test_python_m_sample_data_generate(tmp_path, capsys):
    assert main(["generate", "--out", str(tmp_path), "--customers", "60", "--as-of", "2025-01-01"]) == 0
    assert "60 people" in capsys.readouterr().out and (tmp_path / "manifest.json").is_file()
    with pytest.raises(SystemExit):
        main(["generate", "--out", str(tmp_path / "x"), "--customers", "0"])
