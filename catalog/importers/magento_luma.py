"""Reader of the Magento product-import CSV of the Luma sample store
(ConfigurableSampleData/fixtures/products.csv).

A `configurable` row is a product; its `configurable_variations` cell lists its children
(`sku=MH01-XS-Black,size=XS,color=Black|...`), each a `simple` row of the same file giving the
variant's price and stock. A simple row no configurable product names is a product of its own.
Categories are comma-separated paths below "Default Category" (up to three levels); the first path
outside Collections and Promotions is the product's category.
"""

import csv
import io
from decimal import Decimal

from django.utils.text import slugify

from catalog.importers.records import (
    BadRow,
    ProductRecord,
    Rejection,
    UnreadableCatalog,
    VariantRecord,
    check_category_name,
    check_encoding,
    decode,
    parse_price,
    parse_quantity,
    require_name,
)

FORMAT = "magento-luma"
ROOT = "Default Category"
SECONDARY = {"Collections", "Promotions"}
REQUIRED_COLUMNS = {"sku", "product_type", "categories", "name", "description", "price", "qty", "url_key",
                    "configurable_variations", "additional_attributes"}
SKIPPED_ATTRIBUTES = {"has_options", "required_options", "size", "color"}
CATEGORY_HINT = "paths like 'Default Category/Men/Tops', comma-separated"
BRAND = "Luma"


def looks_like(head: str) -> bool:
    """True when the first line is a Magento product-import header."""
    header = head.lstrip("\ufeff").split("\n", 1)[0]
    columns = {column.strip() for column in header.split(",")}
    return {"sku", "product_type", "configurable_variations"} <= columns


def _rows(text: str):
    """(first line, row) for every record, multi-line quoted cells included."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
    if missing:
        raise UnreadableCatalog(f"not a Magento product CSV: missing columns {', '.join(sorted(missing))}")
    last = 1
    try:
        for row in reader:
            yield last + 1, row
            last = reader.line_num
    except csv.Error as exc:
        raise UnreadableCatalog(f"broken CSV after line {last}: {exc}") from None


def read(raw: bytes) -> tuple[list[ProductRecord], list[Rejection]]:
    """Products and rejected rows (with line numbers) of a Magento products.csv."""
    text, damaged = decode(raw)
    rows = list(_rows(text))
    simple: dict[str, tuple[int, dict]] = {}
    for line, row in rows:
        if row.get("product_type") == "simple" and row.get("sku"):
            simple.setdefault(row["sku"].strip(), (line, row))
    records, rejected, claimed = [], [], set()
    for line, row in rows:
        sku = (row.get("sku") or "").strip()
        kind = row.get("product_type")
        if kind == "simple":
            continue
        if kind != "configurable":
            rejected.append(Rejection(line, f"unsupported product type {kind!r}", sku))
            continue
        children = _variation_skus(row.get("configurable_variations") or "")
        claimed.update(children)
        try:
            records.append(_configurable(line, row, damaged, simple, rejected))
        except BadRow as exc:
            rejected.append(Rejection(line, str(exc), sku))
            rejected.extend(
                Rejection(simple[child][0], f"its configurable product {sku} (line {line}) was rejected", child)
                for child in children
                if child in simple
            )
    for sku, (line, row) in simple.items():
        if sku in claimed:
            continue
        try:
            records.append(_standalone(line, row, damaged))
        except BadRow as exc:
            rejected.append(Rejection(line, str(exc), sku))
    rejected.sort(key=lambda rejection: rejection.line)
    return records, rejected


def _variation_skus(cell: str) -> list[str]:
    return [options["sku"] for options in _variations(cell) if options.get("sku")]


def _variations(cell: str) -> list[dict]:
    """`sku=A,size=S,color=Red|sku=B,...` as a list of {option: value} mappings."""
    found = []
    for chunk in filter(None, (part.strip() for part in cell.split("|"))):
        options = {}
        for pair in chunk.split(","):
            key, sep, value = pair.partition("=")
            if not sep:
                raise BadRow(f"unreadable configurable_variations entry {chunk!r}")
            options[key.strip()] = value.strip()
        found.append(options)
    return found


def _category_path(cell: str) -> tuple[str, ...]:
    paths = []
    for raw_path in filter(None, (part.strip() for part in (cell or "").split(","))):
        names = raw_path.split("/")
        if names[0] != ROOT:
            raise BadRow(f"unknown category syntax: {raw_path!r} (expected {CATEGORY_HINT})")
        paths.append(tuple(check_category_name(name, CATEGORY_HINT) for name in names[1:]))
    below_root = [path for path in paths if path]
    if not below_root:
        raise BadRow(f"unknown category syntax: {cell!r} names no category below {ROOT!r}")
    primary = [path for path in below_root if path[0] not in SECONDARY]
    return (primary or below_root)[0]


def _attributes(cell: str, categories: str) -> dict:
    attributes: dict = {}
    key = None
    for pair in (cell or "").split(","):
        name, sep, value = pair.partition("=")
        if sep:
            key = name.strip()
            if key not in SKIPPED_ATTRIBUTES:
                attributes[key] = value.split("|") if "|" in value else value
        elif key and key in attributes:
            # A comma inside a value: join it back to the value it belongs to.
            attributes[key] = f"{attributes[key]},{pair}"
    collections = []
    for path in (categories or "").split(","):
        names = path.strip().split("/")
        if len(names) >= 3 and names[1] in SECONDARY:
            collections.append(names[-1])
    if collections:
        attributes["collections"] = collections
    return attributes


def _prices(row: dict) -> tuple[Decimal, Decimal | None]:
    price = parse_price(row.get("price"))
    if (row.get("special_price") or "").strip():
        special = parse_price(row["special_price"], "special price")
        if special < price:
            return special, price
    return price, None


def _configurable(line: int, row: dict, damaged: bool, simple: dict, rejected: list) -> ProductRecord:
    sku = (row.get("sku") or "").strip()
    check_encoding(damaged, *row.values())
    if not sku:
        raise BadRow("missing sku")
    name = require_name(row.get("name"))
    parse_price(row.get("price"))
    path = _category_path(row.get("categories", ""))
    variants = []
    for position, options in enumerate(_variations(row.get("configurable_variations") or "")):
        child = options.pop("sku", "")
        if child not in simple:
            rejected.append(Rejection(line, f"variation {child!r} has no simple row in the file", sku))
            continue
        child_line, child_row = simple[child]
        try:
            check_encoding(damaged, *child_row.values())
            require_name(child_row.get("name"))
            price, compare_at = _prices(child_row)
            stock = parse_quantity(child_row.get("qty") or 0)
        except BadRow as exc:
            rejected.append(Rejection(child_line, str(exc), child))
            continue
        variants.append(
            VariantRecord(
                sku=child,
                price=price,
                compare_at_price=compare_at,
                name=" / ".join(options[key] for key in ("size", "color") if key in options)
                or " / ".join(options.values()),
                options=options,
                stock=stock,
                position=position,
                line=child_line,
            )
        )
    if not variants:
        raise BadRow("no loadable variants")
    return ProductRecord(
        line=line,
        ref=sku,
        name=name,
        slug=(row.get("url_key") or "").strip() or slugify(name),
        category_path=path,
        description=row.get("description") or "",
        brand=BRAND,
        attributes=_attributes(row.get("additional_attributes", ""), row.get("categories", "")),
        variants=variants,
    )


def _standalone(line: int, row: dict, damaged: bool) -> ProductRecord:
    sku = (row.get("sku") or "").strip()
    check_encoding(damaged, *row.values())
    name = require_name(row.get("name"))
    price, compare_at = _prices(row)
    return ProductRecord(
        line=line,
        ref=sku,
        name=name,
        slug=(row.get("url_key") or "").strip() or slugify(name),
        category_path=_category_path(row.get("categories", "")),
        description=row.get("description") or "",
        brand=BRAND,
        attributes=_attributes(row.get("additional_attributes", ""), row.get("categories", "")),
        variants=[VariantRecord(sku=sku, price=price, compare_at_price=compare_at,
                                stock=parse_quantity(row.get("qty") or 0), line=line)],
    )
