"""Catalog tables: invariants, the category tree and the PostgreSQL-only search indexes."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from tests.factories.catalog import CategoryFactory, ProductFactory, ProductImageFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_category_ancestors_run_root_first():
    """A three-level category lists its ancestors root first, itself last, for breadcrumbs."""
    men = CategoryFactory(name="Men", slug="men")
    tops = CategoryFactory(name="Tops", slug="men-tops", parent=men)
    jackets = CategoryFactory(name="Jackets", slug="men-tops-jackets", parent=tops)

    assert [c.slug for c in jackets.ancestors()] == ["men", "men-tops", "men-tops-jackets"]
    assert men.ancestors() == [men]


def test_variant_price_must_be_positive():
    """The database refuses a variant priced at zero."""
    with pytest.raises(IntegrityError):
        VariantFactory(price=Decimal("0.00"))


def test_compare_at_price_must_exceed_price():
    """A compare-at price equal to the price is refused; above it is kept."""
    kept = VariantFactory(price=Decimal("10.00"), compare_at_price=Decimal("12.00"))
    assert kept.compare_at_price == Decimal("12.00")
    with pytest.raises(IntegrityError):
        VariantFactory(price=Decimal("10.00"), compare_at_price=Decimal("10.00"))


def test_duplicate_sku_is_refused():
    """SKU codes are unique across the catalog."""
    VariantFactory(sku="DUP-1")
    with pytest.raises(IntegrityError):
        VariantFactory(sku="DUP-1")


def test_image_path_is_under_product_slug_and_sanitised():
    """An uploaded file name is slugified and stored under products/<slug>/."""
    product = ProductFactory(slug="blue-kettle")
    image = ProductImageFactory(product=product, image__filename="../../My Photo (1).JPG")

    assert image.image.name == "products/blue-kettle/my-photo-1.jpg"


@pytest.mark.postgres
def test_search_indexes_and_trigram_extension_exist_on_postgres():
    """The migrations create pg_trgm and both GIN indexes on PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'catalog_product' AND indexname LIKE '%gin'")
        names = sorted(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
        extensions = cursor.fetchone()[0]

    assert names == ["catalog_product_name_trgm_gin", "catalog_product_search_vector_gin"]
    assert extensions == 1
