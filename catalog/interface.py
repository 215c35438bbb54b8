"""The public face of the catalog context: the only module other contexts may import.

It exposes plain functions and frozen dataclasses (stdlib types only), never models or querysets.
Two implementations answer the same calls: in-process (the default) and over HTTP against the
catalog API (catalog.http_interface) when settings.CATALOG_INTERFACE_URL is set, which is how the
catalog would be called once it runs as its own service.

Lookups by product (id, slug) see active products only. Lookups by SKU see every known SKU and say
whether it can still be sold (`VariantInfo.is_active` is False when the variant or its product is
inactive), so that a cart or an order can name what is no longer sold.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from catalog import http_interface, selectors
from catalog.models import Product, ProductImage, Variant


class CatalogLookupError(Exception):
    """Base of the errors raised by this interface."""


class ProductNotFound(CatalogLookupError):
    """No active product, or no variant, answers to the given slug, id or SKU."""


class CatalogUnavailable(CatalogLookupError):
    """The catalog could not answer in time (HTTP implementation: timeout, connection error or 5xx)."""


@dataclass(frozen=True)
class ImageInfo:
    url: str
    small_url: str  # 320 px wide; the original's URL until the thumbnail exists
    large_url: str  # 800 px wide; likewise
    alt_text: str


@dataclass(frozen=True)
class VariantInfo:
    sku: str
    product_id: int
    product_slug: str
    product_name: str
    name: str
    options: tuple[tuple[str, str], ...]  # (("color", "Black"), ("size", "M")), sorted by option name
    price: Decimal
    compare_at_price: Decimal | None
    currency: str
    is_active: bool  # False when the variant or its product is no longer sold
    in_stock: bool
    image_url: str  # the product's first small thumbnail (or original), "" without images


@dataclass(frozen=True)
class ProductInfo:
    id: int
    slug: str
    name: str
    brand: str
    category_slug: str
    category_name: str
    description: str
    min_price: Decimal | None
    currency: str
    in_stock: bool
    images: tuple[ImageInfo, ...]
    variants: tuple[VariantInfo, ...]  # active variants only, in display order


def product_by_slug(slug: str) -> ProductInfo:
    """The active product with this slug. Raises ProductNotFound, or CatalogUnavailable over HTTP."""
    if settings.CATALOG_INTERFACE_URL:
        return http_interface.product_by_slug(slug)
    product = selectors.product_detail(slug=slug)
    if product is None:
        raise ProductNotFound(f"no product with the slug {slug!r}")
    return _product_info(product)


def product_by_id(product_id: int) -> ProductInfo:
    """The active product with this id. Raises ProductNotFound, or CatalogUnavailable over HTTP."""
    found = products_by_ids([product_id])
    if product_id not in found:
        raise ProductNotFound(f"no product with the id {product_id}")
    return found[product_id]


def products_by_ids(ids: Iterable[int]) -> dict[int, ProductInfo]:
    """Active products by id; unknown or inactive ids are left out. A fixed number of queries."""
    wanted = sorted({int(pk) for pk in ids})
    if not wanted:
        return {}
    if settings.CATALOG_INTERFACE_URL:
        return http_interface.products_by_ids(wanted)
    return {product.pk: _product_info(product) for product in selectors.products_by_ids(wanted)}


def variant_by_sku(sku: str) -> VariantInfo:
    """The variant with this SKU, sold or not. Raises ProductNotFound, or CatalogUnavailable over HTTP."""
    found = variants_by_skus([sku])
    if sku not in found:
        raise ProductNotFound(f"no variant with the SKU {sku!r}")
    return found[sku]


def variants_by_skus(skus: Iterable[str]) -> dict[str, VariantInfo]:
    """Variants by SKU for carts and orders; unknown SKUs are left out. A fixed number of queries."""
    wanted = sorted({str(sku) for sku in skus})
    if not wanted:
        return {}
    if settings.CATALOG_INTERFACE_URL:
        return http_interface.variants_by_skus(wanted)
    return {variant.sku: _variant_info(variant) for variant in selectors.variants_by_skus(wanted)}


# Model -> DTO, for the in-process implementation (the HTTP one builds the same DTOs from JSON).


def _image_info(image: ProductImage) -> ImageInfo:
    url = image.image.url
    return ImageInfo(
        url=url,
        small_url=image.thumbnail_small.url if image.thumbnail_small else url,
        large_url=image.thumbnail_large.url if image.thumbnail_large else url,
        alt_text=image.alt_text,
    )


def _first_image_url(product: Product) -> str:
    images = list(product.images.all())
    return _image_info(images[0]).small_url if images else ""


def _variant_info(variant: Variant, product: Product | None = None, image_url: str | None = None) -> VariantInfo:
    product = product or variant.product
    return VariantInfo(
        sku=variant.sku,
        product_id=product.pk,
        product_slug=product.slug,
        product_name=product.name,
        name=variant.name,
        options=tuple(sorted((str(k), str(v)) for k, v in (variant.options or {}).items())),
        price=variant.price,
        compare_at_price=variant.compare_at_price,
        currency=variant.currency,
        is_active=variant.is_active and product.is_active,
        in_stock=variant.in_stock,
        image_url=_first_image_url(product) if image_url is None else image_url,
    )


def _product_info(product: Product) -> ProductInfo:
    images = tuple(_image_info(image) for image in product.images.all())
    first = images[0].small_url if images else ""
    return ProductInfo(
        id=product.pk,
        slug=product.slug,
        name=product.name,
        brand=product.brand,
        category_slug=product.category.slug,
        category_name=product.category.name,
        description=product.description,
        min_price=product.min_price,
        currency=product.currency,
        in_stock=product.in_stock,
        images=images,
        variants=tuple(_variant_info(variant, product, first) for variant in product.variants.all()),
    )
