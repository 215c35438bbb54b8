"""Catalog API: product list with filters, detail by slug, category tree, staff writes through services."""

from decimal import Decimal

import pytest

from catalog.models import Category, PriceHistory, Product, ProductImage, Variant
from ecommerce.events.models import OutboxEvent
from tests.factories.catalog import CategoryFactory, ProductFactory, ProductImageFactory, VariantFactory
from tests.factories.users import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def bulk_catalog(count: int, category: Category) -> None:
    """`count` active products with two variants and one image each, inserted in bulk."""
    products = Product.objects.bulk_create(
        Product(slug=f"bulk-{i}", name=f"Bulk {i}", category=category, min_price=Decimal("5.00"), in_stock=True)
        for i in range(count)
    )
    Variant.objects.bulk_create(
        Variant(product=p, sku=f"BULK-{p.pk}-{size}", price=Decimal("5.00"), options={"size": size}, in_stock=True)
        for p in products
        for size in ("S", "M")
    )
    ProductImage.objects.bulk_create(ProductImage(product=p, image=f"products/{p.slug}/a.jpg") for p in products)


@pytest.mark.parametrize("count", [20, 2000])
def test_product_list_issues_a_fixed_number_of_queries(client, django_assert_max_num_queries, count):
    """The product list costs at most 10 queries with 20 or 2,000 products, at any page size."""
    bulk_catalog(count, CategoryFactory())

    for page_size in (5, 100):
        with django_assert_max_num_queries(10):
            response = client.get("/api/v1/products/", {"page_size": page_size})
        assert response.status_code == 200
        assert response.json()["count"] == count
        assert len(response.json()["results"]) == min(page_size, count)
        assert len(response.json()["results"][0]["variants"]) == 2


@pytest.mark.parametrize("count", [20, 2000])
def test_product_detail_and_category_tree_issue_a_fixed_number_of_queries(client, django_assert_max_num_queries, count):
    """Product detail and the category tree cost at most 10 queries whatever the catalog size."""
    root = CategoryFactory(slug="root")
    leaf = CategoryFactory(slug="leaf", parent=CategoryFactory(slug="mid", parent=root))
    bulk_catalog(count, leaf)

    with django_assert_max_num_queries(10):
        detail = client.get("/api/v1/products/bulk-7/")
    with django_assert_max_num_queries(10):
        tree = client.get("/api/v1/categories/")

    assert detail.status_code == 200
    assert [c["slug"] for c in detail.json()["breadcrumbs"]] == ["root", "mid", "leaf"]
    assert tree.json()[0]["children"][0]["children"][0]["slug"] == "leaf"


def test_product_detail_shows_variants_images_and_prices_as_strings(client):
    """The detail by slug lists active variants with option values and images with thumbnail URLs."""
    product = ProductFactory(slug="tee", name="Tee", min_price=Decimal("15.00"))
    VariantFactory(product=product, sku="TEE-S", price=Decimal("15.00"), compare_at_price=Decimal("20.00"),
                   options={"size": "S"}, position=0)
    VariantFactory(product=product, sku="TEE-OLD", is_active=False)
    ProductImageFactory(product=product, alt_text="front")

    body = client.get("/api/v1/products/tee/").json()

    assert body["min_price"] == "15.00"
    assert [(v["sku"], v["price"], v["compare_at_price"], v["options"]) for v in body["variants"]] == [
        ("TEE-S", "15.00", "20.00", {"size": "S"})
    ]
    assert body["images"][0]["alt_text"] == "front"
    assert body["images"][0]["url"] == "/media/products/tee/photo.jpg"


def test_inactive_product_is_not_found(client):
    """An inactive product answers 404 on detail and is absent from the list."""
    ProductFactory(slug="gone", is_active=False)

    assert client.get("/api/v1/products/gone/").status_code == 404
    assert client.get("/api/v1/products/").json()["count"] == 0


def test_product_list_filters_by_category_tree_brand_price_and_stock(client):
    """Filters combine: a parent category includes its subcategories; brand list, price range, stock."""
    men = CategoryFactory(slug="men")
    jackets = CategoryFactory(slug="men-jackets", parent=men)
    ProductFactory(slug="a", category=jackets, brand="Acme", min_price=Decimal("50.00"), in_stock=True)
    ProductFactory(slug="b", category=men, brand="Zeta", min_price=Decimal("20.00"), in_stock=True)
    ProductFactory(slug="c", category=jackets, brand="Acme", min_price=Decimal("90.00"), in_stock=False)
    ProductFactory(slug="d", category=CategoryFactory(slug="women"), brand="Acme", min_price=Decimal("40.00"))

    def slugs(**params):
        return [row["slug"] for row in client.get("/api/v1/products/", params).json()["results"]]

    assert slugs(category="men", ordering="price") == ["b", "a", "c"]
    assert slugs(category="men", brand="Acme", ordering="-price") == ["c", "a"]
    assert slugs(min_price="30", max_price="60", ordering="price") == ["d", "a"]
    assert slugs(in_stock="true", ordering="price") == ["b", "a"]


def test_bad_filter_value_is_a_400_with_a_message(client):
    """A non-numeric price filter is refused with a message naming the field."""
    response = client.get("/api/v1/products/", {"min_price": "cheap"})

    assert response.status_code == 400
    assert response.json() == {"min_price": ["Enter a number."]}


def test_anonymous_and_shopper_writes_are_refused(client):
    """Writes are for staff: anonymous gets 403, a signed-in shopper 403, and nothing changes."""
    CategoryFactory(slug="mugs")
    payload = {"name": "Mug", "category": "mugs"}

    assert client.post("/api/v1/products/", payload, content_type="application/json").status_code == 403
    client.force_login(UserFactory())
    assert client.post("/api/v1/products/", payload, content_type="application/json").status_code == 403
    assert Product.objects.count() == 0


def test_staff_creates_a_product_with_variants_through_services(client):
    """Staff POST makes the product, its variants, their first price history and the events."""
    CategoryFactory(slug="mugs")
    client.force_login(StaffFactory())

    response = client.post(
        "/api/v1/products/",
        {"name": "Big Mug", "category": "mugs", "description": "<b>Big</b><script>x</script>",
         "variants": [{"sku": "MUG-B", "price": "12.00", "options": {"colour": "blue"}}]},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["description"] == "<b>Big</b>"
    assert response.json()["min_price"] == "12.00"
    assert PriceHistory.objects.filter(variant__sku="MUG-B").count() == 1
    assert OutboxEvent.objects.filter(name="catalog.product_changed.v1").count() == 2


def test_staff_write_with_bad_price_is_a_400_and_rolls_back(client):
    """A variant the services refuse (compare-at below price) is a 400 naming why, and no product is left."""
    CategoryFactory(slug="mugs")
    client.force_login(StaffFactory())

    response = client.post(
        "/api/v1/products/",
        {"name": "Mug", "category": "mugs",
         "variants": [{"sku": "M-1", "price": "12.00", "compare_at_price": "10.00"}]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "compare-at price 10.00 must be higher than the price 12.00"}
    assert Product.objects.count() == 0


def test_staff_patch_of_a_variant_price_goes_through_change_price(client):
    """PATCH price writes history and publishes catalog.price_changed exactly once."""
    VariantFactory(sku="P-1", price=Decimal("12.00"))
    client.force_login(StaffFactory())

    response = client.patch("/api/v1/variants/P-1/", {"price": "9.50"}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["price"] == "9.50"
    assert PriceHistory.objects.filter(variant__sku="P-1", new_price=Decimal("9.50")).count() == 1
    assert OutboxEvent.objects.filter(name="catalog.price_changed.v1").count() == 1


def test_variant_lookup_by_skus_includes_inactive_and_skips_unknown(client, django_assert_max_num_queries):
    """The SKU lookup answers known SKUs (sold or not) with their product, in a fixed number of queries."""
    product = ProductFactory(slug="p", is_active=False)
    VariantFactory(product=product, sku="K-1")
    VariantFactory(sku="K-2")

    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/variants/", {"sku": ["K-1", "K-2", "NOPE"]}).json()

    assert [(row["sku"], row["product"]["is_active"]) for row in body] == [("K-1", False), ("K-2", True)]


def test_openapi_schema_lists_the_catalog_endpoints(client):
    """The OpenAPI schema documents the product, variant and category endpoints."""
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    paths = response.json()["paths"]
    assert {"/api/v1/products/", "/api/v1/products/{slug}/", "/api/v1/categories/", "/api/v1/variants/"} <= set(paths)


def test_staff_patch_deactivates_a_product_and_adds_a_variant(client):
    """Staff PATCH is_active=false hides the product from the public API; POST variants adds a SKU."""
    product = ProductFactory(slug="stool")
    client.force_login(StaffFactory())

    created = client.post("/api/v1/products/stool/variants/", {"sku": "STOOL-1", "price": "40.00"},
                          content_type="application/json")
    patched = client.patch("/api/v1/products/stool/", {"is_active": False}, content_type="application/json")
    client.logout()

    assert created.status_code == 201
    assert patched.status_code == 200
    assert patched.json()["is_active"] is False
    assert [v["sku"] for v in patched.json()["variants"]] == ["STOOL-1"]
    assert client.get("/api/v1/products/stool/").status_code == 404
    product.refresh_from_db()
    assert product.min_price == Decimal("40.00")


def test_staff_patch_with_unknown_category_is_a_400(client):
    """A category slug that does not exist is refused by name."""
    ProductFactory(slug="stool")
    client.force_login(StaffFactory())

    response = client.patch("/api/v1/products/stool/", {"category": "nowhere"}, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"category": "no category with the slug 'nowhere'"}
