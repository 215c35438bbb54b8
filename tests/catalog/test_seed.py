"""seed_demo: a deterministic generated catalog, inserted in bulk, safe to run again."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from catalog import services
from catalog.models import Category, PriceHistory, Product, Variant
from ecommerce.events.models import OutboxEvent
from inventory import interface as inventory
from tests.factories.catalog import CategoryFactory

pytestmark = pytest.mark.django_db


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot():
    return list(
        Variant.objects.order_by("sku").values_list(
            "sku", "product__name", "product__slug", "product__category__slug", "price", "compare_at_price", "options"
        )
    )


def test_seed_demo_makes_the_requested_products_with_stock_and_history():
    """--products 120 makes 120 products in small batches, each variant priced, stocked and in history."""
    out = seed("--products", "120", "--batch-size", "50")

    assert Product.objects.count() == 120
    assert f"120 products created ({Variant.objects.count()} variants), 0 already there" in out
    assert PriceHistory.objects.count() == Variant.objects.count()
    assert Category.objects.filter(parent=None, slug__startswith="demo-").count() == 8
    levels = inventory.availability(Variant.objects.values_list("sku", flat=True))
    for variant in Variant.objects.select_related("product"):
        assert variant.in_stock is (levels[variant.sku].available > 0)
    for product in Product.objects.prefetch_related("variants"):
        assert product.min_price == min(v.price for v in product.variants.all())
        assert product.in_stock is any(v.in_stock for v in product.variants.all())
    assert OutboxEvent.objects.filter(name="catalog.product_changed.v1").count() == 0


def test_seed_demo_is_deterministic_and_rerunning_adds_only_missing_products():
    """The same seed gives the same catalog; a second run skips what exists and a larger N adds the rest."""
    seed("--products", "30")
    first = snapshot()
    Product.objects.all().delete()
    seed("--products", "30")
    assert snapshot() == first

    out = seed("--products", "40")

    assert "10 products created" in out
    assert "30 already there" in out
    assert snapshot()[: len(first)] == first
    assert Product.objects.count() == 40


def test_seed_demo_refuses_a_negative_count():
    """A negative --products stops the command with a message."""
    with pytest.raises(CommandError, match="--products must be 0 or more"):
        seed("--products", "-1")


def test_bulk_create_keeps_awkward_text_and_json_intact():
    """Tabs, backslashes, line breaks and quotes survive the bulk path (COPY on PostgreSQL) unchanged."""
    category = CategoryFactory()
    awkward = 'Tab\there \\ back "quoted"\nnext line'
    product = services.NewProduct(
        slug="awkward", name=awkward, category=category, description=awkward, brand="B\\rand",
        attributes={"note": awkward, "n": [1, 2]},
        variants=(services.NewVariant(sku="AWK-1", price=Decimal("9.99"), compare_at_price=Decimal("12.50"),
                                      name="M\tL", options={"size": 'M "medium"'}, in_stock=True),),
    )

    [product_id] = services.products_bulk_create(products=[product], announce=True)

    saved = Product.objects.get(pk=product_id)
    variant = saved.variants.get()
    assert (saved.name, saved.description, saved.brand) == (awkward, awkward, "B\\rand")
    assert saved.attributes == {"note": awkward, "n": [1, 2]}
    assert (saved.min_price, saved.in_stock, saved.currency) == (Decimal("9.99"), True, "USD")
    assert (variant.name, variant.options, variant.compare_at_price) == ("M\tL", {"size": 'M "medium"'},
                                                                         Decimal("12.50"))
    assert PriceHistory.objects.get(variant=variant).new_price == Decimal("9.99")
    assert [e.payload["skus"] for e in OutboxEvent.objects.filter(name="catalog.product_changed.v1")] == [["AWK-1"]]


def test_bulk_create_refuses_a_bad_price_naming_the_sku():
    """A compare-at price below the price in a bulk insert is refused by SKU and nothing is written."""
    bad = services.NewProduct(
        slug="bad", name="Bad", category=CategoryFactory(),
        variants=(services.NewVariant(sku="BAD-1", price=Decimal("10"), compare_at_price=Decimal("5")),),
    )

    with pytest.raises(services.CatalogError, match="BAD-1: compare-at price 5 must be higher than the price 10"):
        services.products_bulk_create(products=[bad])
    assert Product.objects.count() == 0
