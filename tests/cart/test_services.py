"""Cart services: adding, changing and removing lines within the rules, and the merge on login."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from cart import services
from cart.models import Cart, CartLine
from ecommerce.events.models import OutboxEvent
from tests.factories.cart import CartFactory, CartLineFactory, UserCartFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db


def _lines(cart: Cart) -> list[tuple[str, int]]:
    return list(CartLine.objects.filter(cart=cart).order_by("sku").values_list("sku", "quantity"))


def test_add_creates_a_line_with_the_price_and_a_snapshot(sellable):
    """Adding a SKU keeps the price seen and the product's name, variant label and slug."""
    sellable("OX-M", "30.00", name="Oxford Shirt", variant_name="M / Blue")
    cart = CartFactory()

    line = services.cart_add(cart_id=cart.pk, sku="OX-M", quantity=2)

    assert (line.sku, line.quantity, line.price_when_added, line.currency) == ("OX-M", 2, Decimal("30.00"), "USD")
    assert (line.product_name, line.variant_name, line.product_slug) == ("Oxford Shirt", "M / Blue", "product-ox-m")


def test_adding_a_sku_again_adds_to_its_line(sellable):
    """A second add of the same SKU raises the quantity of the one line."""
    sellable("A")
    cart = CartFactory()

    services.cart_add(cart_id=cart.pk, sku="A", quantity=2)
    services.cart_add(cart_id=cart.pk, sku="A", quantity=3)

    assert _lines(cart) == [("A", 5)]


def test_adding_more_than_available_is_refused_saying_how_many_are_left(sellable):
    """The shopper is told how many are left, counting what the cart already holds."""
    sellable("A", stock=3, name="Mug")
    cart = CartFactory()

    with pytest.raises(services.CartError, match=r"^Only 3 of Mug left\.$"):
        services.cart_add(cart_id=cart.pk, sku="A", quantity=4)
    services.cart_add(cart_id=cart.pk, sku="A", quantity=2)
    with pytest.raises(services.CartError, match=r"^Only 3 of Mug left, and you already have 2 in your cart\.$"):
        services.cart_add(cart_id=cart.pk, sku="A", quantity=2)

    assert _lines(cart) == [("A", 2)]


def test_out_of_stock_sku_is_refused(sellable):
    """A SKU with nothing available cannot be added."""
    sellable("A", stock=0, name="Mug")

    with pytest.raises(services.CartError, match=r"^Sorry, Mug is out of stock\.$"):
        services.cart_add(cart_id=CartFactory().pk, sku="A", quantity=1)


@pytest.mark.parametrize("quantity", [0, -1, 100])
def test_quantity_outside_1_to_99_is_refused(sellable, quantity):
    """Quantities are whole numbers from 1 to 99."""
    sellable("A", stock=200)

    with pytest.raises(services.CartError, match=r"^Choose a quantity from 1 to 99\.$"):
        services.cart_add(cart_id=CartFactory().pk, sku="A", quantity=quantity)


def test_a_line_never_holds_more_than_99(sellable):
    """Adding to a line beyond 99 in total is refused."""
    sellable("A", stock=500)
    cart = CartFactory()
    services.cart_add(cart_id=cart.pk, sku="A", quantity=60)

    with pytest.raises(services.CartError, match=r"at most 99 of one item in your cart; you already have 60\.$"):
        services.cart_add(cart_id=cart.pk, sku="A", quantity=40)


def test_unknown_and_inactive_skus_are_refused_with_a_clear_message(sellable):
    """A SKU the catalog does not know, or no longer sells, cannot be added."""
    sellable("OLD", name="Old Mug", is_active=False)
    cart = CartFactory()

    with pytest.raises(services.CartError, match=r"^We don't sell an item with the code 'NOPE'\.$"):
        services.cart_add(cart_id=cart.pk, sku="NOPE", quantity=1)
    with pytest.raises(services.CartError, match=r"^Old Mug is no longer sold\.$"):
        services.cart_add(cart_id=cart.pk, sku="OLD", quantity=1)
    assert _lines(cart) == []


def test_set_quantity_checks_stock_when_raising_and_always_allows_lowering(sellable):
    """Raising a quantity past what is available is refused; lowering it always works."""
    sellable("A", stock=4, name="Mug")
    cart = CartFactory()
    services.cart_add(cart_id=cart.pk, sku="A", quantity=3)

    with pytest.raises(services.CartError, match=r"^Only 4 of Mug left\.$"):
        services.cart_set_quantity(cart_id=cart.pk, sku="A", quantity=5)
    services.cart_set_quantity(cart_id=cart.pk, sku="A", quantity=1)

    assert _lines(cart) == [("A", 1)]


def test_remove_and_clear(sellable):
    """Remove takes one line away, clear takes them all; removing a SKU not in the cart is refused."""
    sellable("A")
    sellable("B")
    sellable("C")
    cart = CartFactory()
    for sku in ("A", "B", "C"):
        services.cart_add(cart_id=cart.pk, sku=sku, quantity=1)

    services.cart_remove_line(cart_id=cart.pk, sku="B")
    with pytest.raises(services.LineNotFound):
        services.cart_remove_line(cart_id=cart.pk, sku="B")
    assert _lines(cart) == [("A", 1), ("C", 1)]

    assert services.cart_clear(cart_id=cart.pk) == 2
    assert _lines(cart) == []


def test_one_open_cart_per_owner_is_a_database_constraint():
    """A second open cart for the same user or session is refused by the database."""
    user_cart = UserCartFactory()
    session_cart = CartFactory(session_key="s" * 32)

    with pytest.raises(IntegrityError), transaction.atomic():
        UserCartFactory(user=user_cart.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        CartFactory(session_key=session_cart.session_key)


def test_a_closed_cart_does_not_count_against_the_one_open_cart_rule():
    """After checkout the owner may open a new cart; get_or_create returns the same open cart twice."""
    user = UserFactory()
    first = services.cart_get_or_create(user_id=user.pk, session_key=None)
    services.cart_mark_checked_out(cart_id=first.pk, order_number="ORD-1")

    second = services.cart_get_or_create(user_id=user.pk, session_key=None)

    assert second.pk != first.pk
    assert services.cart_get_or_create(user_id=user.pk, session_key=None).pk == second.pk


def test_merge_sums_the_overlapping_sku_capped_by_stock(sellable):
    """Anonymous cart of 2 lines + user cart of 1 line sharing a SKU: 2 lines, overlap summed up to the stock."""
    sellable("SHARED", stock=5, name="Mug")
    sellable("ONLY-ANON", stock=10)
    user_cart = UserCartFactory()
    CartLineFactory(cart=user_cart, sku="SHARED", quantity=3, product_name="Mug")
    anonymous = CartFactory()
    CartLineFactory(cart=anonymous, sku="SHARED", quantity=4)
    CartLineFactory(cart=anonymous, sku="ONLY-ANON", quantity=2)

    result = services.cart_merge(session_key=anonymous.session_key, user_id=user_cart.user_id)

    assert _lines(user_cart) == [("ONLY-ANON", 2), ("SHARED", 5)]
    assert result == services.MergeResult(items_added=6, capped=("Mug: only 5 left",))
    anonymous.refresh_from_db()
    assert (anonymous.status, _lines(anonymous)) == (Cart.Status.ABANDONED, [])


def test_merge_sums_the_overlap_fully_when_stock_allows(sellable):
    """With enough stock the overlapping quantities simply add up."""
    sellable("SHARED", stock=50)
    sellable("OTHER", stock=50)
    user_cart = UserCartFactory()
    CartLineFactory(cart=user_cart, sku="SHARED", quantity=3)
    anonymous = CartFactory()
    CartLineFactory(cart=anonymous, sku="SHARED", quantity=4)
    CartLineFactory(cart=anonymous, sku="OTHER", quantity=1)

    result = services.cart_merge(session_key=anonymous.session_key, user_id=user_cart.user_id)

    assert _lines(user_cart) == [("OTHER", 1), ("SHARED", 7)]
    assert result.capped == ()


def test_merge_hands_the_anonymous_cart_over_when_the_user_has_none():
    """Without a cart of their own, the user simply takes over the session's cart."""
    user = UserFactory()
    anonymous = CartFactory()
    CartLineFactory(cart=anonymous, sku="A", quantity=2)

    result = services.cart_merge(session_key=anonymous.session_key, user_id=user.pk)

    anonymous.refresh_from_db()
    assert (anonymous.user_id, anonymous.session_key, anonymous.status) == (user.pk, "", Cart.Status.OPEN)
    assert result == services.MergeResult(items_added=2, capped=())


def test_merge_without_an_anonymous_cart_does_nothing():
    """No session cart: nothing to merge."""
    assert services.cart_merge(session_key="unknown", user_id=UserFactory().pk) is None


def test_mark_checked_out_is_idempotent_and_publishes_once():
    """Checking a cart out twice changes nothing the second time and publishes one event."""
    cart = UserCartFactory()

    services.cart_mark_checked_out(cart_id=cart.pk, order_number="ORD-7")
    services.cart_mark_checked_out(cart_id=cart.pk, order_number="ORD-7")

    cart.refresh_from_db()
    assert (cart.status, cart.order_number) == (Cart.Status.CHECKED_OUT, "ORD-7")
    assert list(OutboxEvent.objects.filter(name="cart.checked_out.v1").values_list("payload", flat=True)) == [
        {"cart_id": cart.pk, "user_id": cart.user_id, "order_number": "ORD-7"}
    ]


def test_a_checked_out_cart_cannot_change(sellable):
    """Lines of a checked-out cart are frozen."""
    sellable("A")
    cart = CartFactory()
    services.cart_mark_checked_out(cart_id=cart.pk, order_number="ORD-8")

    with pytest.raises(services.CartClosed):
        services.cart_add(cart_id=cart.pk, sku="A", quantity=1)
