"""Normalisation of emails, phones, postal addresses, names and jurisdictions (pure)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InvalidInput
from identity.normalise import (
    derive_jurisdiction,
    first_name_key,
    name_key,
    normalise_contact_point,
    normalise_country,
    normalise_email,
    normalise_jurisdiction,
    normalise_phone,
    normalise_postal,
    postal_line,
    region_for,
    split_full_name,
)


@pytest.mark.parametrize(
    "raw", ["John.Smith@Example.COM", "  john.smith@example.com ", "mailto:JOHN.SMITH@example.com"]
)
def test_email_lower_and_trim(raw):
    assert normalise_email(raw) == "john.smith@example.com"


@pytest.mark.parametrize(
    "raw", ["", "john", "john@", "@example.com", "john smith@example.com", "a@b", "a@@b.com"]
)
def test_non_addresses_are_rejected_naming_the_field(raw):
    with pytest.raises(InvalidInput) as err:
        normalise_email(raw)
    assert err.value.field == "email"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 415-555-0100", "US", "+14155550100"),
        ("(415) 555-0100", "US", "+14155550100"),
        ("4155550100", "US", "+14155550100"),
        ("+44 20 7946 0018", "US", "+442079460018"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("030 12345678", "DE", "+493012345678"),
        ("0049 30 12345678", "DE", "+493012345678"),
    ],
)
def test_phone_formats_become_e164(raw, region, expected):
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize("raw", ["", "12", "not a phone", "+1 555", "555-1234-5678-9999-0000"])
def test_unparseable_phones_are_rejected(raw):
    with pytest.raises(InvalidInput) as err:
        normalise_phone(raw)
    assert err.value.field == "phone"


def test_national_number_needs_the_right_region():
    # The same digits read as a US number are not a British one.
    assert normalise_phone("020 7946 0018", region_for("GB")) == "+442079460018"
    with pytest.raises(InvalidInput):
        normalise_phone("020 7946 0018", region_for("US"))


def test_region_for_country():
    assert region_for("GB") == "GB"
    assert region_for("de") == "DE"
    assert region_for("UK") == "GB"
    assert region_for(None) == "US"
    assert region_for("ZZ") == "US"


def test_postal_key_ignores_case_punctuation_and_street_words():
    a = postal_line("12 Main Street", "Springfield", "ab1 2cd", None, "GB")
    b = postal_line("12, MAIN ST.", "springfield", "AB12CD", None, "GB")
    assert a == b == "12 main st, springfield, ab12cd, gb"
    assert postal_line(None, "Springfield", "1", None, "US") is None


def test_contact_point_kinds():
    assert normalise_contact_point("email", " A@B.CO ") == "a@b.co"
    assert normalise_contact_point("phone", "4155550100") == "+14155550100"
    assert normalise_contact_point("postal", "1 Oak Avenue, Lakeside") == "1 oak ave, lakeside"
    with pytest.raises(InvalidInput) as err:
        normalise_contact_point("fax", "1")
    assert err.value.field == "kind"


def test_country_region_and_jurisdiction():
    assert normalise_country(" gb ") == "GB"
    assert normalise_country("UK") == "GB"
    with pytest.raises(InvalidInput) as err:
        normalise_country("Germany")
    assert err.value.field == "country"
    assert normalise_jurisdiction("us-ca") == "US-CA"
    with pytest.raises(InvalidInput):
        normalise_jurisdiction("California")
    assert derive_jurisdiction("US", "CA") == ("US-CA", "country_region")
    assert derive_jurisdiction("CA", "ON") == ("CA-ON", "country_region")
    assert derive_jurisdiction("DE", "BY") == ("DE", "country")
    assert derive_jurisdiction("US", None) == ("US", "country")
    assert derive_jurisdiction(None, "CA") == (None, None)


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("John Smith", ("John", "Smith")),
        ("Smith, John", ("John", "Smith")),
        ("Dr. Mary Ann Jones Jr.", ("Mary", "Jones")),
        ("Anna van der Berg", ("Anna", "van der Berg")),
        ("Cher", (None, "Cher")),
        ("", (None, None)),
    ],
)
def test_split_full_name(full, expected):
    assert split_full_name(full) == expected


def test_name_keys_fold_accents_case_and_punctuation():
    assert name_key("Müller") == name_key("MULLER") == "muller"
    assert name_key("O'Brien") == "obrien"
    assert first_name_key("Mary Ann") == "mary"
    assert first_name_key("J.") == "j"


emails = st.builds(
    lambda local, domain, tld, pad: f"{pad}{local}@{domain}.{tld}{pad}",
    st.from_regex(r"[A-Za-z0-9._%+-]{1,20}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9-]{1,15}", fullmatch=True),
    st.from_regex(r"[A-Za-z]{2,6}", fullmatch=True),
    st.sampled_from(["", " ", "\t"]),
)


@given(emails)
def test_normalising_an_email_twice_is_normalising_once(raw):
    once = normalise_email(raw)
    assert normalise_email(once) == once


@given(
    st.sampled_from(["US", "GB", "DE", "FR", "CA", "IE"]),
    st.from_regex(r"\+?[0-9 ()\-.]{6,20}", fullmatch=True),
)
def test_normalising_a_phone_twice_is_normalising_once(region, raw):
    try:
        once = normalise_phone(raw, region)
    except InvalidInput:
        return
    assert normalise_phone(once, region) == once
    assert normalise_phone(once, "US") == once  # E.164 needs no region


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60))
def test_normalising_an_address_twice_is_normalising_once(raw):
    try:
        once = normalise_postal(raw)
    except InvalidInput:
        return
    assert normalise_postal(once) == once
