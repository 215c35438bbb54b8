"""Events the cart publishes, and its handlers of catalog and inventory events.

Published (plain JSON):
- `cart.checked_out.v1` {"cart_id", "user_id", "order_number"}: when orders closes a cart.

Consumed (by name; catalog and inventory are lower contexts, their events are never imported):
- `catalog.price_changed.v1` {"sku", ...}, `catalog.product_changed.v1` {"skus", ...} and
  `inventory.stock_changed.v1` {"sku", ...}: forget the cached read model of every open cart
  holding one of the SKUs, so that the next view shows the new price, name or availability.
"""

from cart import selectors
from ecommerce.events import Event, publish, subscribe

CHECKED_OUT = "cart.checked_out.v1"
PRICE_CHANGED = "catalog.price_changed.v1"
PRODUCT_CHANGED = "catalog.product_changed.v1"
STOCK_CHANGED = "inventory.stock_changed.v1"


def publish_checked_out(*, cart_id: int, user_id: int | None, order_number: str) -> None:
    """Announce that a cart became an order."""
    publish(CHECKED_OUT, {"cart_id": cart_id, "user_id": user_id, "order_number": order_number})


def _forget_carts_holding(skus: list[str]) -> None:
    selectors.forget_carts(selectors.open_carts_holding(skus))


@subscribe(PRICE_CHANGED)
def forget_carts_on_price_changed(event: Event) -> None:
    """A SKU's price changed: carts holding it show the new price (and the note) on their next view."""
    _forget_carts_holding([str(event.payload["sku"])])


@subscribe(PRODUCT_CHANGED)
def forget_carts_on_product_changed(event: Event) -> None:
    """A product changed (name, image, no longer sold): carts holding one of its SKUs are rebuilt."""
    _forget_carts_holding([str(sku) for sku in event.payload.get("skus", [])])


@subscribe(STOCK_CHANGED)
def forget_carts_on_stock_changed(event: Event) -> None:
    """A SKU's availability changed: carts holding it show the new badge on their next view."""
    _forget_carts_holding([str(event.payload["sku"])])
