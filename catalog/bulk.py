"""Bulk insertion of new products, variants and their first price history, for
services.products_bulk_create. On PostgreSQL rows stream in with COPY (ids drawn from the table
sequences first), an order of magnitude faster than multi-row INSERTs; elsewhere the ORM's
bulk_create does the same job. Only services.py calls this module; it checks nothing itself.
"""

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from catalog.models import PriceHistory, Product, Variant

if TYPE_CHECKING:
    from catalog.services import NewProduct

PRODUCT_COLUMNS = ["id", "slug", "name", "description", "brand", "category_id", "attributes", "is_active",
                   "is_featured", "created_at", "updated_at", "min_price", "currency", "in_stock"]
VARIANT_COLUMNS = ["id", "product_id", "sku", "name", "options", "price", "compare_at_price", "currency",
                   "is_active", "in_stock", "position"]
HISTORY_COLUMNS = ["variant_id", "old_price", "new_price", "currency", "changed_at"]


def insert(products: Sequence["NewProduct"], currency: str, batch_size: int) -> list[int]:
    """Insert the products with their variants and history rows; returns the new product ids in order."""
    if connection.vendor == "postgresql":
        return _copy(products, currency)
    return _bulk_create(products, currency, batch_size)


def _summary(new: "NewProduct") -> tuple:
    return min((v.price for v in new.variants), default=None), any(v.in_stock for v in new.variants)


def _bulk_create(products, currency: str, batch_size: int) -> list[int]:
    rows = []
    for new in products:
        min_price, in_stock = _summary(new)
        rows.append(Product(slug=new.slug, name=new.name, category=new.category, description=new.description,
                            brand=new.brand, attributes=new.attributes, is_active=new.is_active,
                            is_featured=new.is_featured, currency=currency, min_price=min_price,
                            in_stock=in_stock))
    created = Product.objects.bulk_create(rows, batch_size=batch_size)
    if any(product.pk is None for product in created):
        ids = dict(Product.objects.filter(slug__in=[p.slug for p in created]).values_list("slug", "pk"))
        for product in created:
            product.pk = ids[product.slug]
    variants = Variant.objects.bulk_create(
        (
            Variant(product=product, sku=v.sku, name=v.name, options=v.options, price=v.price,
                    compare_at_price=v.compare_at_price, currency=currency, in_stock=v.in_stock,
                    position=v.position)
            for product, new in zip(created, products, strict=True)
            for v in new.variants
        ),
        batch_size=batch_size,
    )
    if any(variant.pk is None for variant in variants):
        ids = dict(Variant.objects.filter(sku__in=[v.sku for v in variants]).values_list("sku", "pk"))
        for variant in variants:
            variant.pk = ids[variant.sku]
    PriceHistory.objects.bulk_create(
        (PriceHistory(variant=v, old_price=None, new_price=v.price, currency=currency) for v in variants),
        batch_size=batch_size,
    )
    return [product.pk for product in created]


def _next_ids(table: str, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
        )
        return [row[0] for row in cursor.fetchall()]


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _text(value: str) -> str:
    """Text in COPY's text format: backslash, tab and line breaks escaped."""
    return value.translate(_ESCAPES)


def _flag(value: bool) -> str:
    return "t" if value else "f"


def _amount(value) -> str:
    return NULL if value is None else str(value)


def _copy_text(table: str, columns: list[str], lines: list[str]) -> None:
    # Lines are formatted by the caller with their column types known: several times faster than
    # letting the driver adapt each value.
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write("".join(lines))


def _copy(products, currency: str) -> list[int]:
    now = timezone.now().isoformat()
    currency = _text(currency)
    product_ids = _next_ids(Product._meta.db_table, len(products))
    variant_count = sum(len(new.variants) for new in products)
    variant_ids = iter(_next_ids(Variant._meta.db_table, variant_count))
    product_lines, variant_lines, history_lines = [], [], []
    for product_id, new in zip(product_ids, products, strict=True):
        min_price, in_stock = _summary(new)
        product_lines.append(
            f"{product_id}\t{_text(new.slug)}\t{_text(new.name)}\t{_text(new.description)}\t{_text(new.brand)}\t"
            f"{new.category.pk}\t{_text(json.dumps(new.attributes))}\t{_flag(new.is_active)}\t"
            f"{_flag(new.is_featured)}\t{now}\t{now}\t{_amount(min_price)}\t{currency}\t{_flag(in_stock)}\n"
        )
        for v in new.variants:
            variant_id = next(variant_ids)
            variant_lines.append(
                f"{variant_id}\t{product_id}\t{_text(v.sku)}\t{_text(v.name)}\t{_text(json.dumps(v.options))}\t"
                f"{v.price}\t{_amount(v.compare_at_price)}\t{currency}\tt\t{_flag(v.in_stock)}\t{v.position}\n"
            )
            history_lines.append(f"{variant_id}\t{NULL}\t{v.price}\t{currency}\t{now}\n")
    _copy_text(Product._meta.db_table, PRODUCT_COLUMNS, product_lines)
    _copy_text(Variant._meta.db_table, VARIANT_COLUMNS, variant_lines)
    _copy_text(PriceHistory._meta.db_table, HISTORY_COLUMNS, history_lines)
    # Fresh statistics: without them the planner keeps estimating the tables as small and answers
    # the next batch's lookups by SKU with sequential scans, so each batch would cost more than the last.
    with connection.cursor() as cursor:
        # Only the looked-up columns: statistics of the text and search columns would take seconds.
        cursor.execute(f"ANALYZE {Product._meta.db_table} (id, slug), {Variant._meta.db_table} (sku, product_id)")
    return product_ids
