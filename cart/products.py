"""Current product data for carts: catalog lookups behind the circuit breaker.

The catalog may live in another process (settings.CATALOG_INTERFACE_URL). When it fails or times
out, or the breaker is open, these return None instead of raising, and callers fall back to the
snapshot kept on each cart line.
"""

from collections.abc import Iterable

from cart.breaker import CircuitBreaker, CircuitOpen
from catalog.interface import CatalogUnavailable, ProductNotFound, VariantInfo, variants_by_skus

catalog_breaker = CircuitBreaker("catalog", failures=(CatalogUnavailable,))


def current_variants(skus: Iterable[str]) -> dict[str, VariantInfo] | None:
    """The catalog's variants for these SKUs (unknown ones left out), or None when it cannot answer."""
    wanted = list(dict.fromkeys(skus))
    if not wanted:
        return {}
    try:
        return catalog_breaker.call(variants_by_skus, wanted)
    except (CatalogUnavailable, CircuitOpen):
        return None


class CatalogDown(Exception):
    """The catalog could not answer about a SKU (it failed, timed out, or the breaker is open)."""


def current_variant(sku: str) -> VariantInfo:
    """The catalog's variant for one SKU. Raises ProductNotFound, or CatalogDown when it cannot answer."""
    found = current_variants([sku])
    if found is None:
        raise CatalogDown(f"the catalog did not answer about {sku!r}")
    if sku not in found:
        raise ProductNotFound(f"no variant with the SKU {sku!r}")
    return found[sku]
