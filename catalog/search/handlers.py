"""Keeps the search index in step with the catalog: one handler of `catalog.product_changed.v1`.

Imported from the catalog's AppConfig.ready(), so web processes and workers both register it.
"""

from catalog.search import SearchUnavailable, get_backend
from ecommerce.events import Event, TransientError, subscribe

PRODUCT_CHANGED = "catalog.product_changed.v1"


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
