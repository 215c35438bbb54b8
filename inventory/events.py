"""The events inventory publishes (payloads are JSON: SKUs and integer quantities).

Inventory is the lowest context: it listens to no one, other contexts learn about stock from these.
"""

from ecommerce.events import publish

STOCK_CHANGED = "inventory.stock_changed.v1"
LOW_STOCK = "inventory.low_stock.v1"
BACK_IN_STOCK = "inventory.back_in_stock.v1"
STOCK_SEEDED = "inventory.stock_seeded.v1"


def publish_stock_change(*, sku: str, available_before: int, on_hand: int, reserved: int, threshold: int) -> None:
    """Announce a change of a SKU's available quantity, and the crossings it makes.

    Nothing is published when available did not move (a commit moves on hand and reserved together).
    """
    available = on_hand - reserved
    if available == available_before:
        return
    publish(STOCK_CHANGED, {"sku": sku, "available": available, "on_hand": on_hand, "reserved": reserved})
    if available_before > threshold >= available:
        publish(LOW_STOCK, {"sku": sku, "available": available, "threshold": threshold})
    if available_before <= 0 < available:
        publish(BACK_IN_STOCK, {"sku": sku, "available": available})


def publish_stock_seeded(*, skus_in_stock: list[str], skus_out_of_stock: list[str]) -> None:
    """Announce, in one event, which of the SKUs of a bulk seeding are in stock and which are not."""
    publish(STOCK_SEEDED, {"skus_in_stock": skus_in_stock, "skus_out_of_stock": skus_out_of_stock})
