"""Reads for the storefront pages, each in a fixed number of queries and cached between events.

Pages get frozen dataclasses (not model instances), which is also what goes into the cache. Cached
entries are dropped by the catalog's event handlers (catalog.search.handlers), never by expiry alone:

- a product page is stored under its slug together with a per-product token; any event about the
  product replaces the token, so the next read misses even if the product's slug changed meanwhile;
- listings (the product list and category pages) share one listing token, replaced by any product or
  price change; the expiry below only reclaims memory taken by entries no read can reach any more.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import nh3
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import F, Min, OuterRef, Subquery
from django.utils.html import strip_tags

from catalog.models import Category, PriceHistory, Product, ProductImage, Variant
from catalog.search import get_backend
from catalog.search.types import SearchQuery, SearchResult
from ecommerce import page_cache

CACHE_SECONDS = 24 * 3600
# page_cache family of the product list API's anonymous answers: forgotten by product, price, stock
# and category changes (answers show variants' stock flags too).
API_ANSWERS = "catalog-api"
LOWEST_PRICE_WINDOW = timedelta(days=30)
NEW_ARRIVALS = 8


@dataclass(frozen=True)
class ImageView:
    """An image for an <img>: `src` is the large thumbnail or, while thumbnails are missing, the original."""

    src: str
    srcset: str  # "" until at least one thumbnail exists
    original: str
    alt: str


@dataclass(frozen=True)
class ProductCard:
    id: int
    slug: str
    name: str
    brand: str
    min_price: Decimal | None
    was_price: Decimal | None  # compare-at price of the cheapest variant, when it is on sale
    currency: str
    in_stock: bool
    image: ImageView | None


@dataclass(frozen=True)
class Crumb:
    name: str
    slug: str


@dataclass(frozen=True)
class CategoryView:
    name: str
    slug: str
    breadcrumbs: tuple[Crumb, ...]  # root first, this category last
    children: tuple[Crumb, ...]


@dataclass(frozen=True)
class Listing:
    """One page of a product list: the search result (hits, total, facets) and a card per hit, in order."""

    result: SearchResult
    cards: tuple[ProductCard, ...]


@dataclass(frozen=True)
class VariantView:
    sku: str
    label: str
    price: Decimal
    compare_at_price: Decimal | None
    currency: str
    in_stock: bool
    lowest_price_30_days: Decimal | None  # lowest price in the 30 days before the current price was set

    @property
    def on_sale(self) -> bool:
        return self.compare_at_price is not None and self.compare_at_price > self.price


@dataclass(frozen=True)
class ProductPage:
    id: int
    slug: str
    name: str
    brand: str
    description: str  # sanitised HTML, cleaned again here in case a row was written around the services
    plain_description: str
    currency: str
    min_price: Decimal | None
    breadcrumbs: tuple[Crumb, ...]
    images: tuple[ImageView, ...]
    variants: tuple[VariantView, ...]

    def variant(self, sku: str) -> VariantView | None:
        """The variant with this SKU; else the first one in stock; else the first; None without variants."""
        for variant in self.variants:
            if variant.sku == sku:
                return variant
        in_stock = [v for v in self.variants if v.in_stock]
        return (in_stock or list(self.variants) or [None])[0]


# Images --------------------------------------------------------------------------------------------


def image_view(original: str, small: str | None, large: str | None, alt: str) -> ImageView:
    """URLs for one stored image; thumbnails join the srcset as they appear."""
    sources = [(name, width) for name, width in ((small, 320), (large, 800)) if name]
    srcset = ", ".join(f"{default_storage.url(name)} {width}w" for name, width in sources)
    src = default_storage.url(large or original)
    return ImageView(src=src, srcset=srcset, original=default_storage.url(original), alt=alt)


# Categories ----------------------------------------------------------------------------------------


def _categories() -> dict[int, dict]:
    """Every category by id (one query over a table far smaller than the catalog)."""
    rows = Category.objects.order_by("position", "name").values("id", "name", "slug", "parent_id", "is_featured")
    return {row["id"]: row for row in rows}


def _breadcrumbs(categories: dict[int, dict], category_id: int | None) -> tuple[Crumb, ...]:
    chain: list[Crumb] = []
    node = categories.get(category_id)
    while node is not None and len(chain) <= len(categories):
        chain.append(Crumb(node["name"], node["slug"]))
        node = categories.get(node["parent_id"])
    return tuple(reversed(chain))


def category_view(slug: str) -> CategoryView | None:
    """The category with this slug, its breadcrumbs and its children (one query); None if unknown."""
    categories = _categories()
    found = next((row for row in categories.values() if row["slug"] == slug), None)
    if found is None:
        return None
    children = tuple(Crumb(row["name"], row["slug"]) for row in categories.values() if row["parent_id"] == found["id"])
    return CategoryView(found["name"], found["slug"], _breadcrumbs(categories, found["id"]), children)


def featured_categories() -> tuple[Crumb, ...]:
    """Categories staff marked as featured, in menu order (one query)."""
    return tuple(
        Crumb(name, slug)
        for name, slug in Category.objects.filter(is_featured=True).order_by("position", "name").values_list(
            "name", "slug"
        )
    )


# Listings ------------------------------------------------------------------------------------------


def product_cards(product_ids: tuple[int, ...]) -> tuple[ProductCard, ...]:
    """Cards for these products in the given order (one query; unknown or inactive ids are left out)."""
    if not product_ids:
        return ()
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "id")
    cheapest = Variant.objects.filter(product=OuterRef("pk"), is_active=True).order_by("price", "position", "id")
    rows = (
        Product.objects.filter(pk__in=product_ids, is_active=True)
        .annotate(
            image_name=Subquery(first_image.values("image")[:1]),
            image_small=Subquery(first_image.values("thumbnail_small")[:1]),
            image_large=Subquery(first_image.values("thumbnail_large")[:1]),
            image_alt=Subquery(first_image.values("alt_text")[:1]),
            was_price=Subquery(cheapest.values("compare_at_price")[:1]),
        )
        .values("id", "slug", "name", "brand", "min_price", "currency", "in_stock", "image_name", "image_small",
                "image_large", "image_alt", "was_price")
    )
    by_id = {
        row["id"]: ProductCard(
            id=row["id"], slug=row["slug"], name=row["name"], brand=row["brand"], min_price=row["min_price"],
            was_price=row["was_price"], currency=row["currency"], in_stock=row["in_stock"],
            image=image_view(row["image_name"], row["image_small"], row["image_large"], row["image_alt"] or row["name"])
            if row["image_name"] else None,
        )
        for row in rows
    }
    return tuple(by_id[pk] for pk in product_ids if pk in by_id)


LISTING_TOKEN_KEY = "catalog:listing-token"  # noqa: S105 - a cache key, not a secret


def _listing_token() -> str:
    return page_cache.token(LISTING_TOKEN_KEY)


def listing_token() -> str:
    """The token every listing-derived cache entry (listings, search, their pages) is stored under;
    replaced by any product or price change, so entries under an older one are never read again."""
    return _listing_token()


def search_listing(query: SearchQuery) -> Listing:
    """Search with the configured backend and load a card per hit (not cached: free text is unbounded).

    Raises SearchUnavailable when the search service does not answer.
    """
    result = get_backend().search(query)
    return Listing(result=result, cards=product_cards(result.hits))


def cached_listing(query: SearchQuery) -> Listing:
    """Like search_listing, served from the cache until the next product or price change."""
    digest = hashlib.sha256(repr(query).encode()).hexdigest()
    key = f"catalog:listing:{_listing_token()}:{digest}"
    listing = cache.get(key)
    if listing is None:
        listing = search_listing(query)
        cache.set(key, listing, CACHE_SECONDS)
    return listing


def new_arrivals(limit: int = NEW_ARRIVALS) -> tuple[ProductCard, ...]:
    """The newest active products as cards (two queries), cached like listings."""
    key = f"catalog:listing:{_listing_token()}:new-arrivals:{limit}"
    cards = cache.get(key)
    if cards is None:
        ids = tuple(
            Product.objects.filter(is_active=True).order_by("-created_at", "-id").values_list("id", flat=True)[:limit]
        )
        cards = product_cards(ids)
        cache.set(key, cards, CACHE_SECONDS)
    return cards


def forget_listings() -> None:
    """Make every cached listing stale (after any product or price change)."""
    page_cache.replace_tokens([LISTING_TOKEN_KEY])


# Product page --------------------------------------------------------------------------------------


def lowest_prices_before_sale(variant_ids: list[int]) -> dict[int, Decimal]:
    """Per variant, the lowest price it had in the 30 days before its current price was set (one query).

    Every price that applied in that window is the old price of a change made within it (up to and
    including the change that set the current price), so the minimum of those old prices is the
    figure a sale must show next to the reduced price.
    """
    if not variant_ids:
        return {}
    last_change = PriceHistory.objects.filter(variant=OuterRef("variant")).order_by("-changed_at", "-id")
    rows = (
        PriceHistory.objects.filter(variant_id__in=variant_ids, old_price__isnull=False)
        .annotate(current_since=Subquery(last_change.values("changed_at")[:1]))
        .filter(changed_at__gt=F("current_since") - LOWEST_PRICE_WINDOW)
        .values("variant_id")
        .annotate(lowest=Min("old_price"))
        .order_by()
    )
    return {row["variant_id"]: row["lowest"] for row in rows}


def _variant_label(name: str, options: dict, sku: str) -> str:
    if name:
        return name
    if options:
        return " / ".join(str(value) for _, value in sorted(options.items()))
    return sku


def _load_product_page(slug: str) -> ProductPage | None:
    product = (
        Product.objects.filter(slug=slug, is_active=True)
        .only("id", "slug", "name", "brand", "description", "currency", "min_price", "category_id")
        .first()
    )
    if product is None:
        return None
    categories = _categories()
    images = tuple(
        image_view(image.image.name, image.thumbnail_small.name or None, image.thumbnail_large.name or None,
                   image.alt_text or product.name)
        for image in ProductImage.objects.filter(product=product).order_by("position", "id").only(
            "image", "thumbnail_small", "thumbnail_large", "alt_text"
        )
    )
    variants = list(
        Variant.objects.filter(product=product, is_active=True).order_by("position", "id").values(
            "id", "sku", "name", "options", "price", "compare_at_price", "currency", "in_stock"
        )
    )
    on_sale = [v["id"] for v in variants if v["compare_at_price"] is not None]
    lowest = lowest_prices_before_sale(on_sale)
    description = nh3.clean(product.description)
    return ProductPage(
        id=product.id,
        slug=product.slug,
        name=product.name,
        brand=product.brand,
        description=description,
        plain_description=" ".join(strip_tags(description).split()),
        currency=product.currency,
        min_price=product.min_price,
        breadcrumbs=_breadcrumbs(categories, product.category_id),
        images=images,
        variants=tuple(
            VariantView(
                sku=v["sku"], label=_variant_label(v["name"], v["options"] or {}, v["sku"]), price=v["price"],
                compare_at_price=v["compare_at_price"], currency=v["currency"], in_stock=v["in_stock"],
                lowest_price_30_days=lowest.get(v["id"]),
            )
            for v in variants
        ),
    )


def product_token_key(product_id: int) -> str:
    """The cache key of the product's token (see product_token)."""
    return f"catalog:product-token:{product_id}"


def product_token(product_id: int) -> str:
    """The token this product's cached page entries are stored under; replaced by any event about it."""
    return page_cache.token(product_token_key(product_id))


def _product_id_key(slug: str) -> str:
    return f"catalog:product-id:{slug}"


def product_id_for_slug(slug: str) -> int | None:
    """The id of the active product with this slug (cached; one query on a miss), or None."""
    key = _product_id_key(slug)
    product_id = cache.get(key)
    if product_id is None:
        product_id = Product.objects.filter(slug=slug, is_active=True).values_list("id", flat=True).first()
        if product_id is None:
            return None
        cache.set(key, product_id, CACHE_SECONDS)
    return product_id


def forget_product_slug(slug: str) -> None:
    """Forget which product this slug names (it may name another one, or none, from now on)."""
    cache.delete(_product_id_key(slug))


def product_page(slug: str) -> ProductPage | None:
    """The active product with this slug, ready to render (five queries on a miss, none on a hit)."""
    key = f"catalog:product:{slug}"
    entry = cache.get(key)
    if entry is not None:
        product_id, token, page = entry
        if token is not None and cache.get(product_token_key(product_id)) == token:
            return page
    page = _load_product_page(slug)
    if page is not None:
        cache.set(key, (page.id, product_token(page.id), page), CACHE_SECONDS)
    return page


def forget_product_pages(product_ids: list[int]) -> None:
    """Make the cached pages of these products stale, whatever slug they were cached under."""
    page_cache.replace_tokens(product_token_key(pk) for pk in product_ids)


def product_ids_for_skus(skus: list[str]) -> list[int]:
    """Ids of the products owning these SKUs (one query)."""
    return sorted(set(Variant.objects.filter(sku__in=skus).values_list("product_id", flat=True)))
