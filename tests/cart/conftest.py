"""Fixtures shared by the cart tests: SKUs that the catalog sells and inventory stocks."""

import re
from decimal import Decimal

import pytest

from tests.factories.catalog import ProductFactory, VariantFactory
from tests.factories.inventory import StockItemFactory


@pytest.fixture
def sellable(db):
    """Create a sold SKU with a price and stock: sellable("OX-M", "30.00", stock=5, name="Oxford Shirt")."""

    def make(sku: str, price: str = "10.00", *, stock: int = 10, name: str = "", variant_name: str = "",
             is_active: bool = True):
        product = ProductFactory(name=name or f"Product {sku}", slug=f"product-{sku.lower()}")
        variant = VariantFactory(product=product, sku=sku, name=variant_name, price=Decimal(price),
                                 is_active=is_active, in_stock=stock > 0)
        StockItemFactory(sku=sku, on_hand=stock)
        return variant

    return make



@pytest.fixture
def tables_read():
    """The main table of each captured query, leaving out the session and the user (not the cart's)."""

    def tables(captured) -> list[str]:
        names = []
        for query in captured.captured_queries:
            match = re.search(r'FROM "(\w+)"', query["sql"])
            names.append(match.group(1) if match else query["sql"][:40])
        return [name for name in names if name not in {"django_session", "auth_user"}]

    return tables
