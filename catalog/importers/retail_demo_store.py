"""Reader of the AWS Retail Demo Store catalog (products.yaml): a YAML list of products, each with a
top-level `category` and a `style` below it (two levels), one price and a `current_stock`.

Each product becomes one product with a single variant whose SKU is the source's product id.
"""

import yaml
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

FORMAT = "retail-demo-store"
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CATEGORY_HINT = "a plain name such as 'accessories'"


def looks_like(head: str) -> bool:
    """True when the start of a file reads like the Retail Demo Store YAML list of products."""
    stripped = [line for line in head.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return bool(stripped) and stripped[0].startswith("- ") and ("name:" in head and "category:" in head)


def _title(name: str) -> str:
    return name.replace("-", " ").strip().title()


def read(raw: bytes) -> tuple[list[ProductRecord], list[Rejection]]:
    """Products and rejected rows (with line numbers) of a products.yaml; UnreadableCatalog when the
    YAML itself is broken or is not a list."""
    text, damaged = decode(raw)
    loader = Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise UnreadableCatalog(f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if root is None or not isinstance(root, yaml.SequenceNode):
        raise UnreadableCatalog("expected a YAML list of products")
    records, rejected = [], []
    for node in root.value:
        line = node.start_mark.line + 1
        try:
            item = loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            rejected.append(Rejection(line, f"unreadable entry: {exc}"))
            continue
        try:
            records.append(_record(item, line, damaged))
        except BadRow as exc:
            ref = str(item.get("id", "")) if isinstance(item, dict) else ""
            rejected.append(Rejection(line, str(exc), ref))
    return records, rejected


def _record(item: object, line: int, damaged: bool) -> ProductRecord:
    if not isinstance(item, dict):
        raise BadRow("entry is not a mapping of product fields")
    check_encoding(damaged, *item.values())
    ref = str(item.get("id") or "").strip()
    if not ref:
        raise BadRow("missing id")
    if len(ref) > 64:
        raise BadRow(f"id {ref[:20]!r}... is longer than 64 characters")
    name = require_name(item.get("name"))
    price = parse_price(item.get("price"))
    category = check_category_name(item.get("category"), CATEGORY_HINT)
    style = check_category_name(item.get("style"), CATEGORY_HINT)
    stock = parse_quantity(item.get("current_stock", 0))
    description = item.get("description") or ""
    if not isinstance(description, str):
        raise BadRow("description is not text")
    attributes = {"style": style}
    for key in ("gender_affinity", "where_visible", "image"):
        if item.get(key):
            attributes[key] = str(item[key])
    if item.get("promoted"):
        attributes["promoted"] = True
    return ProductRecord(
        line=line,
        ref=ref,
        name=name,
        slug=slugify(name)[:200] or slugify(ref),
        category_path=(_title(category), _title(style)),
        description=description.strip(),
        attributes=attributes,
        is_featured=bool(item.get("featured")),
        variants=[VariantRecord(sku=ref, price=price, stock=stock, line=line)],
    )
