"""Each storefront page issues a fixed number of SQL queries, whatever the catalog and page size.

Measured on a cold cache (the worst case) with 20 and with 2,000 products, bulk-created for speed.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Category, PriceHistory, Product, ProductImage, Variant
from catalog.search.database import DatabaseBackend

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10
BRANDS = ("Acme", "Lumo", "Nordic", "Forge")


def bulk_catalog(size: int) -> Product:
    """`size` products over a three-level tree, each with two variants (one on sale) and an image."""
    root = Category.objects.create(name="Home", slug="home", is_featured=True)
    rooms = Category.objects.create(name="Rooms", slug="rooms", parent=root)
    leaves = [Category.objects.create(name=f"Lamps {i}", slug=f"lamps-{i}", parent=rooms) for i in range(3)]
    products = Product.objects.bulk_create(
        Product(
            slug=f"lamp-{i}", name=f"Reading Lamp {i}", description="<p>Warm light for reading.</p>",
            brand=BRANDS[i % len(BRANDS)], category=leaves[i % 3], min_price=Decimal(5 + i % 700),
            in_stock=i % 5 != 0,
        )
        for i in range(size)
    )
    variants = Variant.objects.bulk_create(
        Variant(product=p, sku=f"LAMP-{p.pk}-{size_}", options={"size": size_}, price=p.min_price + j,
                compare_at_price=p.min_price + 10 if j == 0 else None, in_stock=True, position=j)
        for p in products
        for j, size_ in enumerate(("S", "L"))
    )
    ProductImage.objects.bulk_create(
        ProductImage(product=p, image=f"products/{p.slug}/lamp.jpg",
                     thumbnail_small=f"products/{p.slug}/thumbs/lamp-320.jpg" if p.pk % 2 else None,
                     thumbnail_large=f"products/{p.slug}/thumbs/lamp-800.jpg" if p.pk % 2 else None)
        for p in products
    )
    now = timezone.now()
    PriceHistory.objects.bulk_create(
        PriceHistory(variant=v, old_price=v.price + 3, new_price=v.price, currency="USD", changed_at=now - timedelta(5))
        for v in variants[:4]
    )
    DatabaseBackend().rebuild()
    return products[0]


@pytest.mark.parametrize("size", [20, 2000])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/products/",
        "/products/?brand=Acme&brand=Lumo&price=0-25&in_stock=1&sort=-price&page=1",
        "/categories/home/",
        "/categories/lamps-1/?sort=price&in_stock=1",
        "/products/lamp-0/",
        "/products/lamp-0/?sku=LAMP-missing",
        "/search/?q=reading+lamp",
        "/search/?q=lamp&brand=Acme&sort=newest&page=1",
    ],
)
def test_page_query_count_is_bounded(client, django_assert_max_num_queries, size, path):
    """The page answers 200 in at most 10 queries with a cold cache, for a small and a big catalog."""
    bulk_catalog(size)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(path)

    assert response.status_code == 200
