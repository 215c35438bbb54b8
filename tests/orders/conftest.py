"""Helpers shared by the orders tests: a small shop (catalog, stock, carts) and a checkout call."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from cart import interface as cart_interface
from cart import services as cart_services
from ecommerce.events.models import OutboxEvent
from inventory import interface as inventory
from orders import services
from orders.addresses import address_clean
from orders.payments import Card, DummyGateway
from tests.factories.catalog import VariantFactory
from tests.factories.inventory import StockItemFactory
from tests.factories.orders import ADDRESS

APPROVED = Card(number="4242424242424242", exp_month=12, exp_year=2040, cvc="123", holder="Ada Lovelace")
DECLINED = Card(number="4000000000000002", exp_month=12, exp_year=2040, cvc="123")
GATEWAY_FAILS = Card(number="4000000000000119", exp_month=12, exp_year=2040, cvc="123")


@dataclass
class Shop:
    """Builds the catalog, stock and carts a checkout needs, through the owning contexts."""

    keys: list[str] = field(default_factory=list)

    def product(self, sku: str, *, price: str = "10.00", stock: int = 10, name: str = ""):
        variant = VariantFactory(sku=sku, price=Decimal(price), **({"product__name": name} if name else {}))
        StockItemFactory(sku=sku, on_hand=stock)
        return variant

    def cart(self, lines: dict[str, int], *, user=None, session_key: str | None = None) -> cart_interface.CartInfo:
        cart = cart_services.cart_get_or_create(
            user_id=user.pk if user else None, session_key=None if user else (session_key or "guest-session")
        )
        for sku, quantity in lines.items():
            cart_services.cart_add(cart_id=cart.pk, sku=sku, quantity=quantity)
        return cart_interface.cart_by_id(cart.pk)

    def place(self, cart: cart_interface.CartInfo, *, key: str = "key-1", card: Card = APPROVED, **overrides):
        arguments = {
            "cart_id": cart.id,
            "idempotency_key": key,
            "email": "ada@example.com",
            "address": address_clean(ADDRESS),
            "shipping_method": "standard",
            "card": card,
            "user_id": cart.user_id,
            "session_key": cart.session_key,
        } | overrides
        return services.order_place(**arguments)


@pytest.fixture
def shop():
    DummyGateway.forget()
    yield Shop()
    DummyGateway.forget()


@pytest.fixture
def published():
    """The payloads published under an event name so far, oldest first."""

    def payloads(name: str) -> list[dict]:
        return list(OutboxEvent.objects.filter(name=name).order_by("created_at").values_list("payload", flat=True))

    return payloads


@pytest.fixture
def stock():
    """The stock level of a SKU as the inventory reports it."""

    def level(sku: str) -> inventory.StockLevel:
        return inventory.availability([sku])[sku]

    return level
