"""Factories for carts and their lines (the line snapshot is made up; tests that need the catalog
to agree create the variant with the same SKU and price)."""

from decimal import Decimal

import factory

from cart.models import Cart, CartLine
from tests.factories.users import UserFactory


class CartFactory(factory.django.DjangoModelFactory):
    """An open anonymous cart keyed by a session key."""

    class Meta:
        model = Cart

    user = None
    session_key = factory.Sequence(lambda n: f"session{n:025d}")
    status = Cart.Status.OPEN


class UserCartFactory(CartFactory):
    """An open cart of a signed-in shopper."""

    user = factory.SubFactory(UserFactory)
    session_key = ""


class CartLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartLine

    cart = factory.SubFactory(CartFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    quantity = 1
    price_when_added = Decimal("10.00")
    currency = "USD"
    product_name = factory.Sequence(lambda n: f"Product {n}")
    variant_name = ""
    product_slug = factory.Sequence(lambda n: f"product-{n}")
    image_url = ""
