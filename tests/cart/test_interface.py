"""cart.interface as orders uses it: the open cart of an owner as a DTO, and marking it checked out."""

import dataclasses
from decimal import Decimal

import pytest

from cart import interface, services
from cart.models import Cart
from tests.factories.cart import CartFactory, CartLineFactory, UserCartFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db


def test_open_cart_of_a_user_is_a_frozen_dto_with_current_prices(sellable):
    """Lines carry the current price, the price when added, totals and availability, as stdlib types."""
    sellable("OX-M", "25.00", stock=4, name="Oxford Shirt", variant_name="M / Blue")
    cart = UserCartFactory()
    CartLineFactory(cart=cart, sku="OX-M", quantity=2, price_when_added=Decimal("30.00"))

    info = interface.open_cart(user_id=cart.user_id, session_key=None)

    assert (info.id, info.user_id, info.session_key, info.status) == (cart.pk, cart.user_id, None, "open")
    assert info.lines == (
        interface.CartLineInfo(
            sku="OX-M", quantity=2, unit_price=Decimal("25.00"), price_when_added=Decimal("30.00"), currency="USD",
            product_name="Oxford Shirt", variant_name="M / Blue", product_slug="product-ox-m", image_url="",
            line_total=Decimal("50.00"), price_changed=True, available=4,
        ),
    )
    assert (info.subtotal, info.item_count, info.currency, info.prices_confirmed) == (
        Decimal("50.00"), 2, "USD", True
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.status = "checked_out"


def test_open_cart_of_a_session_and_of_an_owner_without_a_cart():
    """An anonymous cart is found by its session key; an owner without an open cart gets None."""
    cart = CartFactory(session_key="k" * 32)

    assert interface.open_cart(user_id=None, session_key="k" * 32).id == cart.pk
    assert interface.open_cart(user_id=None, session_key="other") is None
    assert interface.open_cart(user_id=UserFactory().pk, session_key=None) is None
    assert interface.open_cart(user_id=None, session_key=None) is None


def test_version_changes_with_the_lines(sellable):
    """The version is stable for the same lines and changes with a quantity."""
    sellable("A")
    cart = UserCartFactory()
    services.cart_add(cart_id=cart.pk, sku="A", quantity=1)
    first = interface.cart_by_id(cart.pk).version

    assert interface.cart_by_id(cart.pk).version == first
    services.cart_set_quantity(cart_id=cart.pk, sku="A", quantity=2)
    assert interface.cart_by_id(cart.pk).version != first


def test_mark_checked_out_closes_the_cart_for_its_owner():
    """After checkout the owner has no open cart; the cart itself still reads, as checked out."""
    cart = UserCartFactory()
    CartLineFactory(cart=cart, sku="A")
    assert interface.open_cart(user_id=cart.user_id, session_key=None).id == cart.pk

    interface.mark_checked_out(cart.pk, order_number="ORD-1")
    interface.mark_checked_out(cart.pk, order_number="ORD-1")

    assert interface.open_cart(user_id=cart.user_id, session_key=None) is None
    assert interface.cart_by_id(cart.pk).status == "checked_out"
    assert Cart.objects.get(pk=cart.pk).order_number == "ORD-1"


def test_unknown_cart_id_raises_cart_not_found():
    """cart_by_id of an id that does not exist raises CartNotFound; so does checking it out."""
    with pytest.raises(interface.CartNotFound):
        interface.cart_by_id(999_999)
    with pytest.raises(interface.CartNotFound):
        interface.mark_checked_out(999_999, order_number="ORD-2")


def test_prices_are_unconfirmed_when_the_catalog_is_down(settings):
    """With the catalog unreachable the DTO is built from snapshots and says prices are not confirmed."""
    cart = UserCartFactory()
    CartLineFactory(cart=cart, sku="A", quantity=3, price_when_added=Decimal("2.00"), product_name="Mug")
    settings.CATALOG_INTERFACE_URL = "http://127.0.0.1:9/api/v1/"
    settings.CATALOG_INTERFACE_TIMEOUT = 0.3

    info = interface.cart_by_id(cart.pk)

    assert (info.prices_confirmed, info.subtotal, info.lines[0].unit_price, info.lines[0].price_changed) == (
        False, Decimal("6.00"), Decimal("2.00"), False
    )


def test_reopen_gives_the_shopper_back_a_cart_whose_order_failed():
    """After a declined payment the cart is open again with its lines; repeating it changes nothing."""
    cart = UserCartFactory()
    CartLineFactory(cart=cart, sku="A", quantity=2)
    interface.mark_checked_out(cart.pk, order_number="ORD-9")
    empty_newer = services.cart_get_or_create(user_id=cart.user_id, session_key=None)

    interface.reopen(cart.pk)
    interface.reopen(cart.pk)

    info = interface.open_cart(user_id=cart.user_id, session_key=None)
    assert (info.id, info.status, [(line.sku, line.quantity) for line in info.lines]) == (cart.pk, "open", [("A", 2)])
    empty_newer.refresh_from_db()
    assert empty_newer.status == Cart.Status.ABANDONED


def test_reopen_keeps_a_newer_cart_with_lines():
    """If the shopper filled a new cart meanwhile, the old one stays closed."""
    cart = UserCartFactory()
    interface.mark_checked_out(cart.pk, order_number="ORD-10")
    CartLineFactory(cart=UserCartFactory(user=cart.user), sku="B")

    with pytest.raises(interface.CartError, match="started a new cart"):
        interface.reopen(cart.pk)
