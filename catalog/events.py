"""Events the catalog publishes, and its handlers of inventory's stock events.

Published (payloads are plain JSON, amounts as strings):
- `catalog.product_changed.v1` {"product_id", "slug", "skus", "is_active"}: after any write to a
  product, its variants or their prices, and when its in-stock flag flips.
- `catalog.price_changed.v1` {"sku", "product_id", "old", "new", "currency"}: once per price change.

Consumed (by name; inventory is a lower context and is never imported for its events):
- `inventory.stock_changed.v1` {"sku", "available", "on_hand", "reserved"}
- `inventory.stock_seeded.v1` {"skus_in_stock": [...], "skus_out_of_stock": [...]}
"""

from dataclasses import asdict, dataclass

from catalog import services
from ecommerce.events import Event, subscribe

PRODUCT_CHANGED = "catalog.product_changed.v1"
PRICE_CHANGED = "catalog.price_changed.v1"
STOCK_CHANGED = "inventory.stock_changed.v1"
STOCK_SEEDED = "inventory.stock_seeded.v1"


@dataclass(frozen=True)
class ProductChanged:
    product_id: int
    slug: str
    skus: list[str]
    is_active: bool

    def payload(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PriceChanged:
    sku: str
    product_id: int
    old: str | None
    new: str
    currency: str

    def payload(self) -> dict:
        return asdict(self)


@subscribe(STOCK_CHANGED)
def keep_stock_flags_on_stock_changed(event: Event) -> None:
    """A SKU's availability changed: mirror it on Variant.in_stock and its product's in_stock."""
    sku = event.payload["sku"]
    in_stock = int(event.payload["available"]) > 0
    if in_stock:
        services.variants_set_stock_flags(in_stock_skus=[sku], out_of_stock_skus=[])
    else:
        services.variants_set_stock_flags(in_stock_skus=[], out_of_stock_skus=[sku])


@subscribe(STOCK_SEEDED)
def keep_stock_flags_on_stock_seeded(event: Event) -> None:
    """Inventory seeded many SKUs at once: mirror them all in a few bulk updates."""
    services.variants_set_stock_flags(
        in_stock_skus=list(event.payload.get("skus_in_stock", [])),
        out_of_stock_skus=list(event.payload.get("skus_out_of_stock", [])),
    )
