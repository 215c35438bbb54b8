"""Placing an order: re-pricing, reservation, totals, payment, idempotency (sequential)."""

from dataclasses import replace
from decimal import Decimal

import pytest

from cart import interface as cart_interface
from catalog import services as catalog_services
from orders import services
from orders.addresses import address_clean
from orders.models import CheckoutKey, Order, Payment
from orders.payments import DummyGateway, GatewayError
from tests.factories.orders import ADDRESS
from tests.factories.users import UserFactory
from tests.orders.conftest import DECLINED, GATEWAY_FAILS

pytestmark = pytest.mark.django_db


def test_placing_an_order_charges_it_sells_the_stock_and_snapshots_every_line(shop, stock, published):
    """A placed order is paid, keeps each line as sold, takes the stock off the shelf and closes the cart."""
    user = UserFactory()
    shop.product("MUG-1", price="12.50", stock=10, name="Mug")
    shop.product("TEE-1", price="8.00", stock=3, name="T-shirt")
    cart = shop.cart({"MUG-1": 2, "TEE-1": 1}, user=user)

    placement = shop.place(cart, email=user.email, user_id=user.pk)

    order = placement.order
    assert placement.created is True
    assert order.status == "paid"
    assert order.user_id == user.pk
    assert [(li.sku, li.product_name, li.unit_price, li.quantity, li.line_total) for li in order.lines.all()] == [
        ("MUG-1", "Mug", Decimal("12.50"), 2, Decimal("25.00")),
        ("TEE-1", "T-shirt", Decimal("8.00"), 1, Decimal("8.00")),
    ]
    # 33.00 + 4.95 standard shipping, 8% tax on both = 3.04 (3.0360 rounded half up).
    assert (order.subtotal, order.shipping_cost, order.tax, order.total) == (
        Decimal("33.00"),
        Decimal("4.95"),
        Decimal("3.04"),
        Decimal("40.99"),
    )
    assert (stock("MUG-1").on_hand, stock("MUG-1").reserved) == (8, 0)
    assert (stock("TEE-1").on_hand, stock("TEE-1").reserved) == (2, 0)
    assert cart_interface.cart_by_id(cart.id).status == "checked_out"
    assert list(order.payments.values_list("status", "amount", "card_last4")) == [
        ("captured", Decimal("40.99"), "4242")
    ]
    assert [c.amount for c in DummyGateway.captures] == [Decimal("40.99")]
    assert list(order.history.values_list("from_status", "to_status")) == [("", "placed"), ("placed", "paid")]
    assert published("orders.order_placed.v1") == [
        {
            "number": order.number,
            "user_id": user.pk,
            "email": user.email,
            "currency": "USD",
            "lines": [
                {"sku": "MUG-1", "product_name": "Mug", "quantity": 2, "unit_price": "12.50", "line_total": "25.00"},
                {"sku": "TEE-1", "product_name": "T-shirt", "quantity": 1, "unit_price": "8.00", "line_total": "8.00"},
            ],
            "subtotal": "33.00",
            "shipping": "4.95",
            "tax": "3.04",
            "total": "40.99",
            "placed_at": order.placed_at.isoformat(),
        }
    ]
    assert [p["to"] for p in published("orders.order_status_changed.v1")] == ["paid"]


def test_order_numbers_are_short_and_readable(shop):
    """An order number is the day and eight characters with no I, L, O or U."""
    shop.product("MUG-1")
    order = shop.place(shop.cart({"MUG-1": 1})).order

    day, code = order.number.split("-")
    assert len(day) == 6 and day.isdigit()
    assert len(code) == 8 and set(code) <= set(services.NUMBER_ALPHABET)


def test_standard_shipping_is_free_from_the_threshold_and_express_is_flat(shop):
    """Standard shipping costs nothing at 50.00 and more; express costs its flat rate whatever the total."""
    shop.product("BIG-1", price="50.00")

    free = shop.place(shop.cart({"BIG-1": 1}, session_key="s1"), key="a", session_key="s1").order
    express = shop.place(
        shop.cart({"BIG-1": 1}, session_key="s2"), key="b", session_key="s2", shipping_method="express"
    ).order

    assert (free.shipping_cost, free.tax, free.total) == (Decimal("0.00"), Decimal("4.00"), Decimal("54.00"))
    assert (express.shipping_cost, express.tax, express.total) == (Decimal("14.95"), Decimal("5.20"), Decimal("70.15"))


def test_guest_places_an_order_with_an_email(shop):
    """A guest's order has no user and the e-mail given at checkout."""
    shop.product("MUG-1")
    cart = shop.cart({"MUG-1": 1}, session_key="guest-1")

    order = shop.place(cart, email=" guest@example.com ", user_id=None, session_key="guest-1").order

    assert (order.user_id, order.email, order.status) == (None, "guest@example.com", "paid")


def test_another_shoppers_cart_cannot_be_checked_out(shop):
    """A cart that does not belong to the caller is refused as if it did not exist; nothing is reserved."""
    owner, intruder = UserFactory(), UserFactory()
    shop.product("MUG-1")
    cart = shop.cart({"MUG-1": 1}, user=owner)

    with pytest.raises(services.CartNotAvailable, match="There is no such cart"):
        shop.place(cart, user_id=intruder.pk)

    assert Order.objects.count() == 0


def test_an_empty_cart_is_refused(shop):
    """Checking out an empty cart says so and makes no order."""
    cart = shop.cart({}, session_key="empty")

    with pytest.raises(services.EmptyCart, match="Your cart is empty"):
        shop.place(cart, session_key="empty")

    assert CheckoutKey.objects.count() == 0


def test_a_price_change_since_the_review_stops_checkout_and_shows_the_new_total(shop, stock):
    """When the catalog price moved after the shopper saw the total, nothing is reserved or charged."""
    variant = shop.product("MUG-1", price="10.00", stock=5, name="Mug")
    cart = shop.cart({"MUG-1": 2})
    seen = services.totals_for(subtotal=cart.subtotal, shipping_method="standard", currency="USD").total
    catalog_services.change_price(variant=variant, new_price=Decimal("11.00"))

    with pytest.raises(services.PriceChanged) as refused:
        shop.place(cart, expected_total=seen)

    assert seen == Decimal("26.95")
    assert refused.value.totals.total == Decimal("29.11")
    assert "Your new total is 29.11 USD" in str(refused.value)
    assert Order.objects.count() == 0
    assert stock("MUG-1").available == 5
    assert cart_interface.cart_by_id(cart.id).status == "open"
    assert DummyGateway.captures == []


def test_without_a_total_each_line_must_keep_the_price_the_cart_showed(shop):
    """An API checkout without an agreed total stops when a line's price differs from the cart's."""
    shop.product("MUG-1", price="10.00", name="Mug")
    cart = shop.cart({"MUG-1": 1})
    stale = replace(cart, lines=(replace(cart.lines[0], unit_price=Decimal("9.00")),))

    with pytest.raises(services.PriceChanged, match=r"Mug is now 10.00 \(was 9.00\)"):
        services._order_create(
            cart=stale,
            key="k",
            email="a@example.com",
            address=address_clean(ADDRESS),
            shipping_method="standard",
            user_id=None,
            expected_total=None,
        )


def test_a_short_line_is_named_and_nothing_is_reserved(shop, stock):
    """All or nothing: one short line refuses the whole order, naming the item and what is left."""
    shop.product("MUG-1", stock=5, name="Mug")
    shop.product("LAMP-1", stock=5, name="Desk lamp")
    cart = shop.cart({"MUG-1": 2, "LAMP-1": 3})
    shop.product("X", stock=1)  # unrelated stock stays untouched
    from inventory import interface as inventory

    inventory.adjust("LAMP-1", -4, "damaged")

    with pytest.raises(services.OutOfStock) as refused:
        shop.place(cart)

    assert [(i.sku, i.name, i.requested, i.available) for i in refused.value.items] == [("LAMP-1", "Desk lamp", 3, 1)]
    assert str(refused.value) == (
        "Not enough stock: Desk lamp (you asked for 3, only 1 left). Please change your cart and try again."
    )
    assert (stock("MUG-1").available, stock("LAMP-1").available) == (5, 1)
    assert Order.objects.count() == 0


def test_the_same_key_twice_returns_the_same_order_and_charges_once(shop):
    """A double submit (same key, same cart) answers with the first order; the card is charged once."""
    shop.product("MUG-1")
    cart = shop.cart({"MUG-1": 1})

    first = shop.place(cart, key="tok-1")
    second = shop.place(cart, key="tok-1")

    assert (first.created, second.created) == (True, False)
    assert second.order.pk == first.order.pk
    assert Order.objects.count() == 1
    assert len(DummyGateway.captures) == 1
    assert Payment.objects.filter(status="captured").count() == 1


def test_the_same_key_with_another_cart_is_refused(shop):
    """Reusing a key for a different cart raises IdempotencyConflict and makes no second order."""
    shop.product("MUG-1")
    shop.product("TEE-1")
    shop.place(shop.cart({"MUG-1": 1}, session_key="s1"), key="tok-1", session_key="s1")
    other = shop.cart({"TEE-1": 1}, session_key="s2")

    with pytest.raises(services.IdempotencyConflict, match="already used for a different cart"):
        shop.place(other, key="tok-1", session_key="s2")

    assert Order.objects.count() == 1
    assert cart_interface.cart_by_id(other.id).status == "open"


def test_a_declined_card_cancels_the_order_and_gives_the_stock_back(shop, stock, published):
    """Declined: the order is cancelled with the reason, its stock is available again, nothing captured."""
    shop.product("MUG-1", stock=5)
    cart = shop.cart({"MUG-1": 2})

    placement = shop.place(cart, card=DECLINED)

    order = placement.order
    assert placement.payment_failed is True
    assert (order.status, order.payment_failure) == ("cancelled", "Your card was declined.")
    assert (stock("MUG-1").on_hand, stock("MUG-1").available) == (5, 5)
    assert DummyGateway.captures == []
    assert list(order.payments.values_list("status", "card_last4")) == [("declined", "0002")]
    assert published("orders.order_cancelled.v1") == [
        {
            "number": order.number,
            "user_id": None,
            "email": "ada@example.com",
            "reason": "Your card was declined.",
            "stock": "released",
            "lines": [{"sku": "MUG-1", "quantity": 2}],
        }
    ]


def test_after_a_decline_the_same_cart_can_be_paid_with_another_card(shop, stock):
    """The shopper goes back to payment: a new attempt from the same cart makes a new, paid order."""
    shop.product("MUG-1", stock=5)
    cart = shop.cart({"MUG-1": 2})
    declined = shop.place(cart, key="first", card=DECLINED).order

    retried = shop.place(cart, key="second").order

    assert retried.pk != declined.pk
    assert retried.status == "paid"
    assert stock("MUG-1").on_hand == 3
    assert len(DummyGateway.captures) == 1


def test_a_paid_cart_cannot_be_checked_out_again_with_a_new_key(shop):
    """Once a cart became a paid order, another key does not make a second order from it."""
    shop.product("MUG-1")
    cart = shop.cart({"MUG-1": 1})
    order = shop.place(cart, key="first").order

    with pytest.raises(services.CartNotAvailable, match=f"already become order {order.number}"):
        shop.place(cart, key="second")

    assert len(DummyGateway.captures) == 1


def test_a_gateway_that_keeps_failing_is_retried_then_the_order_is_cancelled(shop, stock, settings):
    """A gateway error is tried PAYMENT_GATEWAY_ATTEMPTS times, then the order is cancelled and stock released."""
    settings.PAYMENT_GATEWAY = "tests.orders.test_services.CountingGateway"
    CountingGateway.calls = 0
    shop.product("MUG-1", stock=5)

    order = shop.place(shop.cart({"MUG-1": 1}), card=GATEWAY_FAILS).order

    assert CountingGateway.calls == 3
    assert order.status == "cancelled"
    assert order.payment_failure == services.GATEWAY_DOWN
    assert list(order.payments.values_list("status", flat=True)) == ["failed"]
    assert stock("MUG-1").available == 5


def test_a_gateway_error_that_clears_on_retry_charges_once(shop, settings):
    """A transient gateway error followed by success leaves the order paid, with one capture."""
    settings.PAYMENT_GATEWAY = "tests.orders.test_services.FlakyGateway"
    FlakyGateway.failures_left = 1
    shop.product("MUG-1")

    order = shop.place(shop.cart({"MUG-1": 1})).order

    assert order.status == "paid"
    assert len(DummyGateway.captures) == 1


class CountingGateway(DummyGateway):
    calls = 0

    def authorize(self, **kwargs):
        CountingGateway.calls += 1
        return super().authorize(**kwargs)


class FlakyGateway(DummyGateway):
    failures_left = 0

    def authorize(self, **kwargs):
        if FlakyGateway.failures_left:
            FlakyGateway.failures_left -= 1
            raise GatewayError("timeout")
        return super().authorize(**kwargs)


def test_placing_an_order_takes_a_bounded_number_of_queries(shop, django_assert_max_num_queries):
    """Placing and paying 20 lines costs one query per extra line (inventory's per-SKU stock event) more than 1."""
    for n in range(20):
        shop.product(f"SKU-{n:02d}", price="3.00")
    small = shop.cart({"SKU-00": 1}, session_key="small")
    large = shop.cart({f"SKU-{n:02d}": 1 for n in range(20)}, session_key="large")

    with django_assert_max_num_queries(QUERIES_ONE_LINE):
        shop.place(small, key="small", session_key="small")
    with django_assert_max_num_queries(QUERIES_ONE_LINE + 19):
        shop.place(large, key="large", session_key="large")


QUERIES_ONE_LINE = 45
