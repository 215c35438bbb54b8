"""Shipping addresses: the countries the shop ships to and the checks an address must pass.

Shared by the checkout form, the API and the services, so that every way in applies the same rules.
"""

import re
from dataclasses import asdict, dataclass

COUNTRIES = {
    "AU": "Australia",
    "AT": "Austria",
    "BE": "Belgium",
    "CA": "Canada",
    "DK": "Denmark",
    "FR": "France",
    "DE": "Germany",
    "IE": "Ireland",
    "IT": "Italy",
    "NL": "Netherlands",
    "ES": "Spain",
    "SE": "Sweden",
    "GB": "United Kingdom",
    "US": "United States",
}
COUNTRY_CHOICES = sorted(COUNTRIES.items(), key=lambda item: item[1])

# Postcode formats of the commonest destinations; other countries only need a non-blank postcode.
POSTCODE_FORMATS = {
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), "5 digits, e.g. 94105 or 94105-1234"),
    "CA": (re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$"), "e.g. K1A 0B1"),
    "GB": (re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"), "e.g. SW1A 1AA"),
    "DE": (re.compile(r"^\d{5}$"), "5 digits, e.g. 10115"),
    "FR": (re.compile(r"^\d{5}$"), "5 digits, e.g. 75001"),
    "NL": (re.compile(r"^\d{4} ?[A-Z]{2}$"), "e.g. 1012 AB"),
    "AU": (re.compile(r"^\d{4}$"), "4 digits, e.g. 2000"),
}

REQUIRED = ("full_name", "line1", "city", "postcode", "country")
MAX_LENGTH = 120


class InvalidAddress(ValueError):
    """An address that fails the checks; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


@dataclass(frozen=True)
class Address:
    full_name: str
    line1: str
    city: str
    postcode: str
    country: str
    line2: str = ""
    region: str = ""
    phone: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def country_name(self) -> str:
        return COUNTRIES.get(self.country, self.country)


def address_clean(data: dict) -> Address:
    """A tidy Address from raw fields (trimmed, postcode and country upper-cased).

    Raises InvalidAddress naming every field that is missing, too long, or not in the country's format.
    """
    fields = {name: str(data.get(name) or "").strip() for name in Address.__dataclass_fields__}
    fields["country"] = fields["country"].upper()
    fields["postcode"] = re.sub(r"\s+", " ", fields["postcode"].upper())
    errors = {}
    for name, value in fields.items():
        if name in REQUIRED and not value:
            errors[name] = "This field is required."
        elif len(value) > MAX_LENGTH:
            errors[name] = f"Keep this under {MAX_LENGTH} characters."
    country = fields["country"]
    if country and country not in COUNTRIES:
        errors["country"] = "We do not ship to this country."
    elif country in POSTCODE_FORMATS and fields["postcode"] and "postcode" not in errors:
        pattern, example = POSTCODE_FORMATS[country]
        if not pattern.match(fields["postcode"]):
            errors["postcode"] = f"Not a valid postcode for {COUNTRIES[country]} ({example})."
    if errors:
        raise InvalidAddress(errors)
    return Address(**fields)
