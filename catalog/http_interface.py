"""The catalog interface over HTTP: the same calls and DTOs as catalog.interface, answered by the
catalog API at settings.CATALOG_INTERFACE_URL (the API root, e.g. "http://catalog.internal/api/v1/").

Every request has a timeout (settings.CATALOG_INTERFACE_TIMEOUT seconds); a timeout, a refused
connection, a 5xx or an unreadable body raise interface.CatalogUnavailable so that callers can fall
back (the cart shows its snapshot). Only catalog.interface calls this module.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote, urljoin

import requests
from django.conf import settings

from catalog import interface

# Keeps the URLs short: batches are split into requests of at most this many ids or SKUs.
BATCH = 100

_session = requests.Session()


def _get(path: str, params: dict | None = None) -> dict | list | None:
    """GET a path under the API root; None for a 404, CatalogUnavailable when there is no answer."""
    url = urljoin(settings.CATALOG_INTERFACE_URL.rstrip("/") + "/", path)
    try:
        response = _session.get(
            url, params=params, timeout=settings.CATALOG_INTERFACE_TIMEOUT, headers={"Accept": "application/json"}
        )
    except requests.RequestException as exc:
        raise interface.CatalogUnavailable(f"catalog API did not answer at {url}: {exc.__class__.__name__}") from exc
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise interface.CatalogUnavailable(f"catalog API answered {response.status_code} at {url}")
    try:
        return response.json()
    except ValueError as exc:
        raise interface.CatalogUnavailable(f"catalog API sent a body that is not JSON at {url}") from exc


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _image(row: dict) -> interface.ImageInfo:
    return interface.ImageInfo(
        url=row["url"], small_url=row["small_url"], large_url=row["large_url"], alt_text=row["alt_text"]
    )


def _variant(row: dict, product: dict, image_url: str) -> interface.VariantInfo:
    return interface.VariantInfo(
        sku=row["sku"],
        product_id=product["id"],
        product_slug=product["slug"],
        product_name=product["name"],
        name=row["name"],
        options=tuple(sorted((str(k), str(v)) for k, v in row["options"].items())),
        price=Decimal(row["price"]),
        compare_at_price=_decimal(row["compare_at_price"]),
        currency=row["currency"],
        is_active=row["is_active"] and product.get("is_active", True),
        in_stock=row["in_stock"],
        image_url=image_url,
    )


def _product(row: dict) -> interface.ProductInfo:
    images = tuple(_image(image) for image in row["images"])
    first = images[0].small_url if images else ""
    return interface.ProductInfo(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        brand=row["brand"],
        category_slug=row["category"]["slug"],
        category_name=row["category"]["name"],
        description=row["description"],
        min_price=_decimal(row["min_price"]),
        currency=row["currency"],
        in_stock=row["in_stock"],
        images=images,
        variants=tuple(_variant(variant, row, first) for variant in row["variants"]),
    )


def _unreadable(exc: Exception) -> interface.CatalogUnavailable:
    return interface.CatalogUnavailable(f"catalog API answered in an unexpected shape: {exc!r}")


def product_by_slug(slug: str) -> interface.ProductInfo:
    body = _get(f"products/{quote(slug, safe='')}/")
    if body is None:
        raise interface.ProductNotFound(f"no product with the slug {slug!r}")
    try:
        return _product(body)
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise _unreadable(exc) from exc


def products_by_ids(ids: list[int]) -> dict[int, interface.ProductInfo]:
    found: dict[int, interface.ProductInfo] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        body = _get("products/", {"ids": ",".join(map(str, chunk)), "page_size": len(chunk)})
        try:
            for row in (body or {}).get("results", []):
                found[row["id"]] = _product(row)
        except (KeyError, TypeError, AttributeError, ArithmeticError) as exc:
            raise _unreadable(exc) from exc
    return found


def variants_by_skus(skus: list[str]) -> dict[str, interface.VariantInfo]:
    found: dict[str, interface.VariantInfo] = {}
    for start in range(0, len(skus), BATCH):
        body = _get("variants/", {"sku": skus[start : start + BATCH]})
        try:
            for row in body or []:
                found[row["sku"]] = _variant(row, row["product"], row["product"]["image_url"])
        except (KeyError, TypeError, ArithmeticError) as exc:
            raise _unreadable(exc) from exc
    return found
