"""Events forget cached carts: a price, product or stock change shows on the next view, without a TTL."""

from decimal import Decimal

import pytest

from cart import interface, selectors, services
from catalog import services as catalog_services
from catalog.models import Variant
from inventory import interface as inventory
from tests.factories.cart import CartLineFactory, UserCartFactory

pytestmark = pytest.mark.django_db


def test_price_change_event_invalidates_the_cached_cart(client, sellable, django_capture_on_commit_callbacks):
    """The cart is cached; a price change publishes an event and the next view shows the new price and the note."""
    variant = sellable("OX-M", "30.00", name="Oxford Shirt")
    client.post("/cart/add/", {"sku": "OX-M", "quantity": "2"})
    client.get("/cart/")
    Variant.objects.filter(pk=variant.pk).update(price=Decimal("1.00"))  # behind the cache's back
    assert client.get("/cart/").context["cart"].lines[0].unit_price == Decimal("30.00")

    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.change_price(variant=variant, new_price="25.00")
    page = client.get("/cart/")

    line = page.context["cart"].lines[0]
    assert (line.unit_price, line.price_when_added, line.price_changed, line.line_total) == (
        Decimal("25.00"), Decimal("30.00"), True, Decimal("50.00")
    )
    assert page.context["cart"].subtotal == Decimal("50.00")
    assert "Price changed from 30.00 USD" in page.content.decode()


def test_stock_change_event_updates_the_availability_badge(client, sellable, django_capture_on_commit_callbacks):
    """A reservation elsewhere changes stock; the next view of a cart holding the SKU shows the new badge."""
    sellable("MUG", stock=10, name="Mug")
    client.post("/cart/add/", {"sku": "MUG", "quantity": "1"})
    assert '<span class="badge" data-sku="MUG">In stock</span>' in client.get("/cart/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        inventory.reserve("CHK-1", {"MUG": 8})
    page = client.get("/cart/")

    assert '<span class="badge low" data-sku="MUG">Only 2 left</span>' in page.content.decode()
    assert page.context["cart"].lines[0].available == 2


def test_deactivated_product_shows_as_no_longer_sold(client, sellable, django_capture_on_commit_callbacks):
    """A product taken off sale (product_changed) shows its lines as no longer sold on the next view."""
    variant = sellable("MUG", name="Mug")
    client.post("/cart/add/", {"sku": "MUG", "quantity": "1"})
    client.get("/cart/")

    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.product_deactivate(product=variant.product)

    assert '<span class="badge out">No longer sold</span>' in client.get("/cart/").content.decode()


def test_events_forget_only_the_carts_holding_the_sku(sellable, django_capture_on_commit_callbacks,
                                                       django_assert_max_num_queries):
    """The handler forgets the carts holding the SKU and leaves other carts cached."""
    holding = sellable("A", "5.00")
    sellable("B", "7.00")
    with_a = UserCartFactory()
    CartLineFactory(cart=with_a, sku="A", price_when_added=Decimal("5.00"))
    with_b = UserCartFactory()
    CartLineFactory(cart=with_b, sku="B", price_when_added=Decimal("7.00"))
    interface.cart_by_id(with_a.pk)
    interface.cart_by_id(with_b.pk)
    Variant.objects.filter(sku="B").update(price=Decimal("1.00"))  # not announced

    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.change_price(variant=holding, new_price="6.00")

    assert interface.cart_by_id(with_a.pk).subtotal == Decimal("6.00")
    with django_assert_max_num_queries(0):
        assert interface.cart_by_id(with_b.pk).subtotal == Decimal("7.00")


def test_a_read_racing_a_write_cannot_leave_stale_data_in_the_cache(sellable, monkeypatch):
    """A write landing while a read builds the cart: the read's stale result is not what the next read sees."""
    sellable("A", stock=10)
    cart = UserCartFactory()
    services.cart_add(cart_id=cart.pk, sku="A", quantity=1)
    lookup = selectors.current_variants

    def lookup_while_another_request_writes(skus):
        monkeypatch.setattr(selectors, "current_variants", lookup)
        services.cart_set_quantity(cart_id=cart.pk, sku="A", quantity=4)  # after this read loaded the lines
        return lookup(skus)

    monkeypatch.setattr(selectors, "current_variants", lookup_while_another_request_writes)
    racing = interface.cart_by_id(cart.pk)

    assert racing.item_count == 1
    assert interface.cart_by_id(cart.pk).item_count == 4
