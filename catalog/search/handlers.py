"""Keeps the catalog's derived read models in step with its writes: the search index and the
cached storefront pages.

Imported from the catalog's AppConfig.ready(), so web processes and workers both register them.
"""

from catalog.search import SearchUnavailable, get_backend
from catalog.selectors_storefront import forget_listings, forget_product_pages, product_ids_for_skus
from ecommerce.events import Event, TransientError, subscribe

PRODUCT_CHANGED = "catalog.product_changed.v1"
PRICE_CHANGED = "catalog.price_changed.v1"
STOCK_CHANGED = "inventory.stock_changed.v1"


@subscribe(PRODUCT_CHANGED)
def reindex_changed_product(event: Event) -> None:
    """Index the product again, or take it out of the index when it is no longer active.

    An unreachable search service is transient: the event bus retries with backoff.
    """
    product_id = int(event.payload["product_id"])
    backend = get_backend()
    try:
        if event.payload.get("is_active", True):
            backend.index_products([product_id])
        else:
            backend.remove_products([product_id])
    except SearchUnavailable as exc:
        raise TransientError(str(exc)) from exc


@subscribe(PRODUCT_CHANGED)
def forget_pages_of_changed_product(event: Event) -> None:
    """Name, price, stock flag or visibility changed: the product page and every listing are stale."""
    forget_product_pages([int(event.payload["product_id"])])
    forget_listings()


@subscribe(PRICE_CHANGED)
def forget_pages_after_price_change(event: Event) -> None:
    """Prices show on the product page and on every listing card."""
    forget_product_pages([int(event.payload["product_id"])])
    forget_listings()


@subscribe(STOCK_CHANGED)
def forget_product_page_after_stock_change(event: Event) -> None:
    """The product page marks out-of-stock options. Listings only show the product's own flag, and
    the catalog publishes product_changed when that flips, so they are left alone here."""
    forget_product_pages(product_ids_for_skus([event.payload["sku"]]))
