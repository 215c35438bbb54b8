"""Keeps the catalog's derived read models in step with its writes: the search index and the
cached storefront pages.

Imported from the catalog's AppConfig.ready(), so web processes and workers both register them.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog.models import Category
from catalog.search import SearchUnavailable, get_backend
from catalog.selectors_storefront import (
    API_ANSWERS,
    forget_listings,
    forget_product_pages,
    forget_product_slug,
    product_ids_for_skus,
)
from ecommerce import page_cache
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
    """Name, price, stock flag or visibility changed: the product page and every listing are stale.

    The product's slug may be new (or another product's old one): which product it names is read again.
    """
    forget_product_slug(event.payload["slug"])
    forget_product_pages([int(event.payload["product_id"])])
    forget_listings()
    page_cache.forget(page_cache.HOME_PAGE)
    page_cache.forget(API_ANSWERS)


@subscribe(PRICE_CHANGED)
def forget_pages_after_price_change(event: Event) -> None:
    """Prices show on the product page and on every listing card."""
    forget_product_pages([int(event.payload["product_id"])])
    forget_listings()
    page_cache.forget(page_cache.HOME_PAGE)
    page_cache.forget(API_ANSWERS)


@subscribe(STOCK_CHANGED)
def forget_product_page_after_stock_change(event: Event) -> None:
    """The product page marks out-of-stock options. Listings only show the product's own flag, and
    the catalog publishes product_changed when that flips, so they are left alone here."""
    forget_product_pages(product_ids_for_skus([event.payload["sku"]]))
    page_cache.forget(API_ANSWERS)


@receiver(post_save, sender=Category, dispatch_uid="catalog-category-saved-forget-pages")
@receiver(post_delete, sender=Category, dispatch_uid="catalog-category-deleted-forget-pages")
def forget_pages_after_category_change(sender, **kwargs) -> None:
    """Category names, tree and featured flags show in listings, breadcrumbs and the home page; the
    catalog publishes no event for them, so the saved row itself drops the cached pages."""
    forget_listings()
    page_cache.forget(page_cache.HOME_PAGE)
    page_cache.forget(API_ANSWERS)
