"""Staff edits in the admin go through the catalog services: history and events are never skipped."""

from decimal import Decimal

import pytest

from catalog.models import PriceHistory, Product, Variant
from ecommerce.events.models import OutboxEvent
from tests.factories.catalog import CategoryFactory, ProductFactory, VariantFactory, product_admin_post_data
from tests.factories.users import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def test_admin_price_change_writes_history_and_publishes_once(staff_client, django_capture_on_commit_callbacks):
    """Changing a variant's price in the admin writes one history row and one catalog.price_changed."""
    product = ProductFactory(slug="kettle")
    VariantFactory(product=product, sku="KET-1", price=Decimal("40.00"))
    VariantFactory(product=product, sku="KET-2", price=Decimal("45.00"), position=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/catalog/product/{product.pk}/change/",
            product_admin_post_data(product, variant_changes={"KET-1": {"price": "35.00"}}),
        )

    assert response.status_code == 302
    assert list(PriceHistory.objects.values_list("variant__sku", "old_price", "new_price")) == [
        ("KET-1", Decimal("40.00"), Decimal("35.00"))
    ]
    events = OutboxEvent.objects.filter(name="catalog.price_changed.v1")
    assert [e.payload for e in events] == [
        {"sku": "KET-1", "product_id": product.pk, "old": "40.00", "new": "35.00", "currency": "USD"}
    ]
    assert events[0].dispatched_at is not None
    product.refresh_from_db()
    assert product.min_price == Decimal("35.00")


def test_admin_save_without_changes_publishes_nothing(staff_client):
    """Saving the product form unchanged writes no history and publishes no event."""
    product = ProductFactory()
    VariantFactory(product=product, price=Decimal("10.00"))

    response = staff_client.post(f"/admin/catalog/product/{product.pk}/change/", product_admin_post_data(product))

    assert response.status_code == 302
    assert PriceHistory.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_admin_creates_product_and_variants_through_services(staff_client):
    """Adding a product with two variants in the admin records both first prices and the min price."""
    category = CategoryFactory()

    response = staff_client.post(
        "/admin/catalog/product/add/",
        product_admin_post_data(
            category=category, name="Desk Lamp", slug="desk-lamp", description="<p>Bright<script>x</script></p>",
            new_variants=({"sku": "LAMP-W", "price": "30.00"}, {"sku": "LAMP-B", "price": "28.00"}),
        ),
    )

    assert response.status_code == 302
    product = Product.objects.get(slug="desk-lamp")
    assert product.description == "<p>Bright</p>"
    assert product.min_price == Decimal("28.00")
    assert PriceHistory.objects.filter(variant__product=product).count() == 2
    assert OutboxEvent.objects.filter(name="catalog.product_changed.v1", payload__product_id=product.pk).count() == 3


def test_admin_refuses_compare_at_below_price_with_a_form_error(staff_client):
    """A compare-at price not above the price is a form error, and the price stays."""
    product = ProductFactory()
    VariantFactory(product=product, sku="CMP-1", price=Decimal("10.00"))

    response = staff_client.post(
        f"/admin/catalog/product/{product.pk}/change/",
        product_admin_post_data(product, variant_changes={"CMP-1": {"price": "12.00", "compare_at_price": "11.00"}}),
    )

    assert response.status_code == 200
    assert "The compare-at price must be higher than the price." in response.content.decode()
    assert Variant.objects.get(sku="CMP-1").price == Decimal("10.00")
    assert PriceHistory.objects.count() == 0


def test_admin_deactivate_action_publishes_product_changed(staff_client):
    """The bulk 'deactivate' action hides products through the service, announcing each."""
    first, second = ProductFactory(), ProductFactory()

    staff_client.post("/admin/catalog/product/", {"action": "deactivate", "_selected_action": [first.pk, second.pk]})

    assert list(Product.objects.filter(is_active=True)) == []
    assert OutboxEvent.objects.filter(name="catalog.product_changed.v1").count() == 2


def test_admin_pages_render_for_staff(staff_client):
    """The product list (searched by SKU), add and change pages, categories and price history render."""
    product = ProductFactory()
    VariantFactory(product=product, sku="FIND-ME")

    pages = [
        "/admin/catalog/product/?q=FIND-ME",
        "/admin/catalog/product/add/",
        f"/admin/catalog/product/{product.pk}/change/",
        "/admin/catalog/category/",
        "/admin/catalog/pricehistory/",
    ]
    assert [staff_client.get(page).status_code for page in pages] == [200, 200, 200, 200, 200]
    assert "FIND-ME" in staff_client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()
