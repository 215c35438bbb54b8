"""What a catalog file reader hands to the loader: products with their variants, and rejected rows."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# Category names as the source files write them: words, digits, spaces and a little punctuation
# ("nuts/seeds"). Separators of other formats (">", "|", ";") or a list in the cell are unknown syntax.
CATEGORY_NAME = re.compile(r"^[\w][\w &',.()+/-]*$")


class UnreadableCatalog(ValueError):
    """The whole file cannot be read as a catalog (unknown format, missing columns, broken syntax)."""


class BadRow(ValueError):
    """One row cannot be loaded; the message is the reason shown next to its line number."""


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str
    ref: str = ""  # the row's SKU or id, when it has one


@dataclass
class VariantRecord:
    sku: str
    price: Decimal
    compare_at_price: Decimal | None = None
    name: str = ""
    options: dict = field(default_factory=dict)
    stock: int | None = None  # initial on-hand quantity for inventory, when the file has one
    position: int = 0
    line: int = 0


@dataclass
class ProductRecord:
    line: int
    ref: str  # the source's own id of the product (Retail Demo Store id, Magento parent SKU)
    name: str
    slug: str  # wanted slug; the loader makes it unique for new products
    category_path: tuple[str, ...]  # names, root first
    variants: list[VariantRecord]
    description: str = ""  # may be HTML; the loader sanitises it
    brand: str = ""
    attributes: dict = field(default_factory=dict)
    is_featured: bool = False


def decode(raw: bytes) -> tuple[str, bool]:
    """The text of a file and whether it had bytes that are not UTF-8 (then shown as U+FFFD)."""
    try:
        return raw.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8-sig", errors="replace"), True


def check_encoding(damaged: bool, *values: object) -> None:
    """Raise BadRow when the file had undecodable bytes and this row holds some of them."""
    if damaged and any("\ufffd" in str(value) for value in values):
        raise BadRow("broken encoding: the row has bytes that are not UTF-8")


def parse_price(value: object, what: str = "price") -> Decimal:
    """A positive amount with at most cents, from a number or a numeric string; BadRow otherwise."""
    if isinstance(value, bool) or value is None or value == "":
        raise BadRow(f"bad {what}: {value!r} is missing or not a number")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadRow(f"bad {what}: {value!r} is not a number") from None
    if not amount.is_finite() or amount <= 0:
        raise BadRow(f"bad {what}: {value!r} must be a number greater than 0")
    if amount != amount.quantize(Decimal("0.01")):
        raise BadRow(f"bad {what}: {value!r} has more than two decimals")
    return amount.quantize(Decimal("0.01"))


def parse_quantity(value: object) -> int:
    """A whole number of 0 or more (Magento writes "100" or "100.0000"); BadRow otherwise."""
    try:
        quantity = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadRow(f"bad stock quantity: {value!r} is not a number") from None
    if isinstance(value, bool) or not quantity.is_finite() or quantity < 0 or quantity != int(quantity):
        raise BadRow(f"bad stock quantity: {value!r} must be a whole number of 0 or more")
    return int(quantity)


def require_name(value: object) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise BadRow("missing name")
    return name


def check_category_name(value: object, syntax_hint: str) -> str:
    """A category name as the format writes it; BadRow 'unknown category syntax' otherwise."""
    if not isinstance(value, str) or not CATEGORY_NAME.match(value.strip()):
        raise BadRow(f"unknown category syntax: {value!r} (expected {syntax_hint})")
    return value.strip()
