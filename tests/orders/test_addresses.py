"""Shipping address rules and card checks shared by the form, the API and the services."""

import pytest

from orders.addresses import InvalidAddress, address_clean
from orders.payments import DECLINED_CARD, GATEWAY_ERROR_CARD, Card, card_number_valid

VALID = {"full_name": "Ada", "line1": "1 Road", "city": "Town", "postcode": "", "country": ""}


@pytest.mark.parametrize(
    ("country", "postcode", "tidy"),
    [
        ("us", "94105", "94105"),
        ("US", "94105-1234", "94105-1234"),
        ("GB", "sw1a  1aa", "SW1A 1AA"),
        ("CA", "k1a 0b1", "K1A 0B1"),
        ("NL", "1012ab", "1012AB"),
        ("DE", "10115", "10115"),
        ("IE", "D02 X285", "D02 X285"),
    ],
)
def test_postcodes_in_their_countrys_format_are_accepted_and_tidied(country, postcode, tidy):
    """Postcodes are upper-cased with single spaces; countries without a known format take any postcode."""
    address = address_clean(VALID | {"country": country, "postcode": postcode})

    assert (address.country, address.postcode) == (country.upper(), tidy)


@pytest.mark.parametrize(
    ("country", "postcode"), [("US", "9410"), ("GB", "12345"), ("CA", "12345"), ("DE", "1011"), ("FR", "7500A")]
)
def test_postcodes_out_of_format_are_refused_with_an_example(country, postcode):
    """A postcode that does not fit its country is refused with the format expected."""
    with pytest.raises(InvalidAddress) as refused:
        address_clean(VALID | {"country": country, "postcode": postcode})

    assert list(refused.value.errors) == ["postcode"]
    assert refused.value.errors["postcode"].startswith("Not a valid postcode for ")


def test_missing_fields_and_unknown_countries_are_all_named():
    """Every problem is reported at once, field by field."""
    with pytest.raises(InvalidAddress) as refused:
        address_clean({"full_name": " ", "line1": "x" * 121, "city": "Town", "postcode": "1", "country": "ZZ"})

    assert refused.value.errors == {
        "full_name": "This field is required.",
        "line1": "Keep this under 120 characters.",
        "country": "We do not ship to this country.",
    }


def test_the_documented_test_cards_pass_the_number_check_and_a_typo_does_not():
    """The dummy gateway's test cards are well-formed numbers; one wrong digit is caught before the gateway."""
    assert card_number_valid("4242424242424242") is True
    assert card_number_valid(DECLINED_CARD) is True
    assert card_number_valid(GATEWAY_ERROR_CARD) is True
    assert card_number_valid("4242424242424241") is False
    assert card_number_valid("42424") is False


def test_a_card_never_shows_its_full_number():
    """A card's repr (logs, tracebacks) holds only the last four digits."""
    card = Card(number="4242424242424242", exp_month=1, exp_year=2040, cvc="123")

    assert repr(card) == "Card(last4='4242', exp=01/2040)"
