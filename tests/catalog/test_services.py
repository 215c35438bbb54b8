"""Catalog services: product and variant writes, price changes with history and events, stock flags."""

import re
from decimal import Decimal

import pytest

from catalog import services
from catalog.models import PriceHistory, Product, Variant
from ecommerce.events import publish
from ecommerce.events.models import OutboxEvent
from tests.factories.catalog import CategoryFactory, ProductFactory, VariantFactory
from tests.factories.users import StaffFactory

pytestmark = pytest.mark.django_db

PRODUCT_CHANGED = "catalog.product_changed.v1"
PRICE_CHANGED = "catalog.price_changed.v1"


def payloads(name):
    return [row.payload for row in OutboxEvent.objects.filter(name=name).order_by("created_at")]


def test_product_create_sanitises_description_and_publishes_product_changed():
    """A new product keeps safe HTML only and announces itself once."""
    category = CategoryFactory()

    product = services.product_create(
        name="Rain Jacket", category=category, description='<p onclick="x()">Dry <script>evil()</script>all day</p>'
    )

    assert product.slug == "rain-jacket"
    assert product.description == "<p>Dry all day</p>"
    assert payloads(PRODUCT_CHANGED) == [
        {"product_id": product.pk, "slug": "rain-jacket", "skus": [], "is_active": True}
    ]


def test_product_create_refuses_a_taken_slug():
    """A slug already in use is refused with a readable message and nothing is written."""
    ProductFactory(slug="mug")

    with pytest.raises(services.CatalogError, match="slug 'mug' already exists"):
        services.product_create(name="Mug", category=CategoryFactory())
    assert Product.objects.count() == 1


def test_variant_create_records_first_price_and_min_price():
    """Adding variants writes their first price to the history and keeps the product's min price."""
    product = ProductFactory()

    services.variant_create(product=product, sku="TEE-M", price="19.99", options={"size": "M"})
    services.variant_create(product=product, sku="TEE-L", price=Decimal("17.50"), options={"size": "L"})

    product.refresh_from_db()
    assert product.min_price == Decimal("17.50")
    assert list(PriceHistory.objects.filter(variant__sku="TEE-M").values_list("old_price", "new_price")) == [
        (None, Decimal("19.99"))
    ]
    assert payloads(PRODUCT_CHANGED)[-1]["skus"] == ["TEE-M", "TEE-L"]


@pytest.mark.parametrize(
    ("price", "compare_at", "message"),
    [
        ("0", None, "price must be greater than 0"),
        ("-3", None, "price must be greater than 0"),
        ("ten", None, "price 'ten' is not a number"),
        ("10", "9.99", "compare-at price 9.99 must be higher than the price 10.00"),
    ],
)
def test_variant_create_refuses_bad_prices(price, compare_at, message):
    """Prices not above zero, non-numbers and compare-at prices not above the price are refused."""
    product = ProductFactory()

    with pytest.raises(services.CatalogError, match=re.escape(message)):
        services.variant_create(product=product, sku="X-1", price=price, compare_at_price=compare_at)
    assert Variant.objects.count() == 0


def test_variant_create_refuses_a_duplicate_sku():
    """A SKU code used by another variant is refused by name."""
    VariantFactory(sku="DUP")

    with pytest.raises(services.CatalogError, match="the SKU 'DUP' already exists"):
        services.variant_create(product=ProductFactory(), sku="DUP", price="5")


def test_change_price_writes_history_and_publishes_old_and_new():
    """A price change is recorded with who made it and announced once with both prices as strings."""
    staff = StaffFactory()
    variant = VariantFactory(sku="MUG-1", price=Decimal("12.00"))
    services.products_refresh_denormalised([variant.product_id])

    services.change_price(variant=variant, new_price="9.50", changed_by=staff)

    variant.refresh_from_db()
    variant.product.refresh_from_db()
    assert variant.price == Decimal("9.50")
    assert variant.product.min_price == Decimal("9.50")
    history = PriceHistory.objects.get(variant=variant)
    assert (history.old_price, history.new_price, history.changed_by) == (Decimal("12.00"), Decimal("9.50"), staff)
    assert payloads(PRICE_CHANGED) == [
        {"sku": "MUG-1", "product_id": variant.product_id, "old": "12.00", "new": "9.50", "currency": "USD"}
    ]


def test_change_price_to_the_same_price_does_nothing():
    """Saving an unchanged price writes no history and publishes no event."""
    variant = VariantFactory(price=Decimal("12.00"))

    services.change_price(variant=variant, new_price="12.00")

    assert PriceHistory.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_change_price_refuses_a_price_below_the_compare_at_rule():
    """A new price at or above the compare-at price is refused and the old price stays."""
    variant = VariantFactory(price=Decimal("10.00"), compare_at_price=Decimal("15.00"))

    message = "compare-at price 15.00 must be higher than the price 15.00"
    with pytest.raises(services.CatalogError, match=re.escape(message)):
        services.change_price(variant=variant, new_price="15.00")
    variant.refresh_from_db()
    assert variant.price == Decimal("10.00")
    assert PriceHistory.objects.count() == 0


def test_deactivate_publishes_product_changed_inactive():
    """Deactivating a product announces it with is_active false; doing it again publishes nothing."""
    product = ProductFactory(slug="lamp")
    VariantFactory(product=product, sku="LAMP-1")

    services.product_deactivate(product=product)
    services.product_deactivate(product=product)

    assert payloads(PRODUCT_CHANGED) == [
        {"product_id": product.pk, "slug": "lamp", "skus": ["LAMP-1"], "is_active": False}
    ]


def test_stock_changed_event_flips_variant_and_product_in_stock(django_capture_on_commit_callbacks):
    """inventory.stock_changed.v1 keeps Variant.in_stock and Product.in_stock in step, both ways."""
    product = ProductFactory()
    VariantFactory(product=product, sku="A-1")
    VariantFactory(product=product, sku="A-2")

    with django_capture_on_commit_callbacks(execute=True):
        publish("inventory.stock_changed.v1", {"sku": "A-1", "available": 3, "on_hand": 3, "reserved": 0})
    product.refresh_from_db()
    assert product.in_stock is True
    assert list(Variant.objects.order_by("sku").values_list("sku", "in_stock")) == [("A-1", True), ("A-2", False)]

    with django_capture_on_commit_callbacks(execute=True):
        publish("inventory.stock_changed.v1", {"sku": "A-1", "available": 0, "on_hand": 2, "reserved": 2})
    product.refresh_from_db()
    assert product.in_stock is False
    assert len(payloads(PRODUCT_CHANGED)) == 2


def test_stock_seeded_event_updates_many_skus_and_ignores_unknown(django_capture_on_commit_callbacks):
    """inventory.stock_seeded.v1 flips every listed SKU; SKUs the catalog does not know are ignored."""
    first, second = ProductFactory(), ProductFactory()
    VariantFactory(product=first, sku="S-1")
    VariantFactory(product=second, sku="S-2", in_stock=True)
    second.in_stock = True
    second.save()

    with django_capture_on_commit_callbacks(execute=True):
        publish("inventory.stock_seeded.v1", {"skus_in_stock": ["S-1", "NOPE"], "skus_out_of_stock": ["S-2"]})

    assert dict(Product.objects.values_list("pk", "in_stock")) == {first.pk: True, second.pk: False}
    assert sorted(p["product_id"] for p in payloads(PRODUCT_CHANGED)) == [first.pk, second.pk]


def test_inactive_variants_do_not_count_for_min_price_or_stock():
    """An inactive variant's price and stock do not show on the product."""
    product = ProductFactory()
    cheap = services.variant_create(product=product, sku="C-1", price="5.00", in_stock=True)
    services.variant_create(product=product, sku="C-2", price="8.00")

    services.variant_update(variant=cheap, is_active=False)

    product.refresh_from_db()
    assert (product.min_price, product.in_stock) == (Decimal("8.00"), False)
