"""Catalog writes. Every change to products, variants, prices and images goes through here (admin,
API, import commands and event handlers alike), so that price history is always written, the
denormalised Product columns (min_price, in_stock) stay right and the catalog's events are published.

Each service runs in one transaction and raises CatalogError with a message staff can read.
"""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import nh3
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, Min, OuterRef, Subquery
from django.utils.text import slugify

from catalog import bulk, events, media, tasks
from catalog.models import Category, PriceHistory, Product, ProductImage, Variant
from ecommerce.events import publish

# Default of optional keyword arguments meaning "leave this field as it is" (None is a real value).
UNCHANGED: Any = object()

# SQLite caps the number of bound parameters; bulk updates by SKU go in chunks of this size.
SKU_CHUNK = 900


class CatalogError(Exception):
    """A catalog write was refused; the message says why, in words staff can act on."""


def sanitise_description(html: str) -> str:
    """Keep safe formatting tags of an HTML description, drop scripts, styles and event handlers."""
    return nh3.clean(html or "").strip()


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise CatalogError(f"{field} {value!r} is not a number") from None
    if not amount.is_finite():
        raise CatalogError(f"{field} {value!r} is not a number")
    return amount.quantize(Decimal("0.01"))


def _check_prices(price: Decimal, compare_at_price: Decimal | None) -> None:
    if price <= 0:
        raise CatalogError(f"price must be greater than 0, not {price}")
    if compare_at_price is not None and compare_at_price <= price:
        raise CatalogError(f"compare-at price {compare_at_price} must be higher than the price {price}")


def publish_products_changed(product_ids: Iterable[int]) -> int:
    """Publish catalog.product_changed.v1 for each product (two queries in all); returns how many."""
    ids = sorted(set(product_ids))
    if not ids:
        return 0
    skus: dict[int, list[str]] = {pk: [] for pk in ids}
    for product_id, sku in Variant.objects.filter(product_id__in=ids).order_by("position", "id").values_list(
        "product_id", "sku"
    ):
        skus[product_id].append(sku)
    count = 0
    for pk, slug, is_active in Product.objects.filter(pk__in=ids).values_list("pk", "slug", "is_active"):
        publish(events.PRODUCT_CHANGED, events.ProductChanged(pk, slug, skus[pk], is_active).payload())
        count += 1
    return count


def products_refresh_denormalised(product_ids: Iterable[int]) -> None:
    """Recompute Product.min_price (cheapest active variant) and in_stock (any active variant in stock)."""
    ids = list(set(product_ids))
    if not ids:
        return
    active = Variant.objects.filter(product=OuterRef("pk"), is_active=True)
    cheapest = active.order_by().values("product").annotate(cheapest=Min("price")).values("cheapest")[:1]
    for start in range(0, len(ids), SKU_CHUNK):
        Product.objects.filter(pk__in=ids[start : start + SKU_CHUNK]).update(
            min_price=Subquery(cheapest), in_stock=Exists(active.filter(in_stock=True))
        )


# Categories ----------------------------------------------------------------------------------------


@transaction.atomic
def category_create(
    *, name: str, slug: str = "", parent: Category | None = None, position: int = 0, is_featured: bool = False
) -> Category:
    """Create a category (slug from the name when not given). Raises CatalogError on a taken slug."""
    name = (name or "").strip()
    if not name:
        raise CatalogError("a category needs a name")
    slug = slug or slugify(name)
    if not slug:
        raise CatalogError(f"cannot make a slug from the category name {name!r}")
    if Category.objects.filter(slug=slug).exists():
        raise CatalogError(f"a category with the slug {slug!r} already exists")
    return Category.objects.create(name=name, slug=slug, parent=parent, position=position, is_featured=is_featured)


# Products ------------------------------------------------------------------------------------------


@transaction.atomic
def product_create(
    *,
    name: str,
    category: Category,
    slug: str = "",
    description: str = "",
    brand: str = "",
    attributes: dict | None = None,
    is_active: bool = True,
    is_featured: bool = False,
    currency: str | None = None,
) -> Product:
    """Create a product without variants (add them with variant_create) and publish product_changed.

    The description is sanitised HTML. Raises CatalogError for a missing name or a taken slug.
    """
    name = (name or "").strip()
    if not name:
        raise CatalogError("a product needs a name")
    slug = slug or slugify(name)
    if not slug:
        raise CatalogError(f"cannot make a slug from the product name {name!r}")
    if Product.objects.filter(slug=slug).exists():
        raise CatalogError(f"a product with the slug {slug!r} already exists")
    product = Product.objects.create(
        name=name,
        slug=slug,
        category=category,
        description=sanitise_description(description),
        brand=(brand or "").strip(),
        attributes=attributes or {},
        is_active=is_active,
        is_featured=is_featured,
        currency=currency or settings.SHOP_CURRENCY,
    )
    publish_products_changed([product.pk])
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    name: str = UNCHANGED,
    slug: str = UNCHANGED,
    category: Category = UNCHANGED,
    description: str = UNCHANGED,
    brand: str = UNCHANGED,
    attributes: dict = UNCHANGED,
    is_featured: bool = UNCHANGED,
    is_active: bool = UNCHANGED,
) -> Product:
    """Change the given fields of a product; publish product_changed when anything changed.

    Raises CatalogError for an empty name or a slug taken by another product.
    """
    changes: dict[str, Any] = {}
    if name is not UNCHANGED:
        name = (name or "").strip()
        if not name:
            raise CatalogError("a product needs a name")
        changes["name"] = name
    if slug is not UNCHANGED:
        if not slug:
            raise CatalogError("a product needs a slug")
        if Product.objects.filter(slug=slug).exclude(pk=product.pk).exists():
            raise CatalogError(f"a product with the slug {slug!r} already exists")
        changes["slug"] = slug
    if description is not UNCHANGED:
        changes["description"] = sanitise_description(description)
    if brand is not UNCHANGED:
        changes["brand"] = (brand or "").strip()
    for field, value in (
        ("category", category),
        ("attributes", attributes),
        ("is_featured", is_featured),
        ("is_active", is_active),
    ):
        if value is not UNCHANGED:
            changes[field] = value
    changes = {field: value for field, value in changes.items() if getattr(product, field) != value}
    if not changes:
        return product
    for field, value in changes.items():
        setattr(product, field, value)
    product.save(update_fields=[*changes, "updated_at"])
    publish_products_changed([product.pk])
    return product


def product_activate(*, product: Product) -> Product:
    """Show the product in the storefront again; publishes product_changed."""
    return product_update(product=product, is_active=True)


def product_deactivate(*, product: Product) -> Product:
    """Hide the product from the storefront, search and the API; publishes product_changed."""
    return product_update(product=product, is_active=False)


# Variants and prices -------------------------------------------------------------------------------


@transaction.atomic
def variant_create(
    *,
    product: Product,
    sku: str,
    price: Decimal | str,
    compare_at_price: Decimal | str | None = None,
    name: str = "",
    options: dict | None = None,
    currency: str | None = None,
    is_active: bool = True,
    in_stock: bool = False,
    position: int = 0,
    changed_by=None,
) -> Variant:
    """Add a SKU to a product, record its first price in the history and publish product_changed.

    Raises CatalogError for an empty or taken SKU, a price not above 0, or a compare-at price not
    above the price.
    """
    sku = (sku or "").strip()
    if not sku:
        raise CatalogError("a variant needs a SKU code")
    amount = _money(price, "price")
    compare = None if compare_at_price in (None, "") else _money(compare_at_price, "compare-at price")
    _check_prices(amount, compare)
    currency = currency or product.currency
    try:
        with transaction.atomic():
            variant = Variant.objects.create(
                product=product,
                sku=sku,
                name=name,
                options=options or {},
                price=amount,
                compare_at_price=compare,
                currency=currency,
                is_active=is_active,
                in_stock=in_stock,
                position=position,
            )
    except IntegrityError:
        raise CatalogError(f"the SKU {sku!r} already exists") from None
    PriceHistory.objects.create(variant=variant, old_price=None, new_price=amount, currency=currency,
                                changed_by=changed_by)
    products_refresh_denormalised([product.pk])
    publish_products_changed([product.pk])
    return variant


@transaction.atomic
def variant_update(
    *,
    variant: Variant,
    name: str = UNCHANGED,
    options: dict = UNCHANGED,
    compare_at_price: Decimal | str | None = UNCHANGED,
    is_active: bool = UNCHANGED,
    position: int = UNCHANGED,
) -> Variant:
    """Change a variant's fields other than its price (see change_price); publishes product_changed.

    Raises CatalogError when the compare-at price is not above the current price.
    """
    changes: dict[str, Any] = {}
    if compare_at_price is not UNCHANGED:
        compare = None if compare_at_price in (None, "") else _money(compare_at_price, "compare-at price")
        _check_prices(variant.price, compare)
        changes["compare_at_price"] = compare
    for field, value in (("name", name), ("options", options), ("is_active", is_active), ("position", position)):
        if value is not UNCHANGED:
            changes[field] = value
    changes = {field: value for field, value in changes.items() if getattr(variant, field) != value}
    if not changes:
        return variant
    for field, value in changes.items():
        setattr(variant, field, value)
    variant.save(update_fields=list(changes))
    if "is_active" in changes:
        products_refresh_denormalised([variant.product_id])
    publish_products_changed([variant.product_id])
    return variant


@transaction.atomic
def change_price(
    *,
    variant: Variant,
    new_price: Decimal | str,
    compare_at_price: Decimal | str | None = UNCHANGED,
    changed_by=None,
) -> Variant:
    """Set a variant's price: write PriceHistory, publish catalog.price_changed (old and new price)
    and product_changed, refresh the product's min_price. An unchanged price writes and publishes
    nothing. Raises CatalogError for a price not above 0 or a compare-at price not above it.
    """
    locked = Variant.objects.select_for_update().get(pk=variant.pk)
    amount = _money(new_price, "price")
    if compare_at_price is UNCHANGED:
        compare = locked.compare_at_price
    else:
        compare = None if compare_at_price in (None, "") else _money(compare_at_price, "compare-at price")
    _check_prices(amount, compare)
    old = locked.price
    if amount == old and compare == locked.compare_at_price:
        return locked
    locked.price, locked.compare_at_price = amount, compare
    locked.save(update_fields=["price", "compare_at_price"])
    variant.price, variant.compare_at_price = amount, compare
    if amount != old:
        PriceHistory.objects.create(
            variant=locked, old_price=old, new_price=amount, currency=locked.currency, changed_by=changed_by
        )
        publish(
            events.PRICE_CHANGED,
            events.PriceChanged(locked.sku, locked.product_id, str(old), str(amount), locked.currency).payload(),
        )
        products_refresh_denormalised([locked.product_id])
    publish_products_changed([locked.product_id])
    return locked


@transaction.atomic
def variants_set_stock_flags(*, in_stock_skus: Iterable[str], out_of_stock_skus: Iterable[str]) -> int:
    """Mirror inventory's availability on Variant.in_stock and Product.in_stock, in bulk.

    Unknown SKUs are ignored (inventory may know SKUs the catalog has not imported yet). Publishes
    product_changed for each product whose in-stock flag flipped; returns how many flipped.
    """
    groups = ((True, sorted(set(in_stock_skus))), (False, sorted(set(out_of_stock_skus))))
    product_ids: set[int] = set()
    for flag, skus in groups:
        for start in range(0, len(skus), SKU_CHUNK):
            chunk = skus[start : start + SKU_CHUNK]
            changed = Variant.objects.filter(sku__in=chunk).exclude(in_stock=flag).order_by()
            owners = set(changed.values_list("product_id", flat=True))
            if owners:
                product_ids |= owners
                changed.update(in_stock=flag)
    if not product_ids:
        return 0
    ids = sorted(product_ids)
    before = dict(Product.objects.filter(pk__in=ids).values_list("pk", "in_stock"))
    products_refresh_denormalised(ids)
    after = dict(Product.objects.filter(pk__in=ids).values_list("pk", "in_stock"))
    flipped = [pk for pk in ids if before.get(pk) != after.get(pk)]
    publish_products_changed(flipped)
    return len(flipped)


# Bulk creation (imports and generated demo catalogs) -----------------------------------------------


@dataclass(frozen=True)
class NewVariant:
    sku: str
    price: Decimal
    compare_at_price: Decimal | None = None
    name: str = ""
    options: dict = dataclasses.field(default_factory=dict)
    in_stock: bool = False
    position: int = 0


@dataclass(frozen=True)
class NewProduct:
    slug: str
    name: str
    category: Category
    variants: tuple[NewVariant, ...]
    description: str = ""  # already sanitised by the caller (see sanitise_description)
    brand: str = ""
    attributes: dict = dataclasses.field(default_factory=dict)
    is_active: bool = True
    is_featured: bool = False


@transaction.atomic
def products_bulk_create(*, products: list[NewProduct], announce: bool = True, batch_size: int = 1000) -> list[int]:
    """Insert many new products with their variants and first price history in bulk; returns their ids.

    For imports and generated catalogs. The caller guarantees new slugs and SKUs (an IntegrityError
    rolls the whole call back) and already-sanitised descriptions; prices are checked here and a bad
    one raises CatalogError naming the SKU. min_price and in_stock are set from the variants. With
    `announce`, product_changed is published once per product; without it (a generated demo
    catalog), nothing is published and the caller indexes the new products itself.
    """
    for new in products:
        for variant in new.variants:
            try:
                _check_prices(variant.price, variant.compare_at_price)
            except CatalogError as exc:
                raise CatalogError(f"{variant.sku}: {exc}") from None
    ids = bulk.insert(products, settings.SHOP_CURRENCY, batch_size)
    if announce:
        publish_products_changed(ids)
    return ids


# Images --------------------------------------------------------------------------------------------


@transaction.atomic
def product_image_add(
    *, product: Product, upload: UploadedFile, alt_text: str = "", position: int | None = None
) -> ProductImage:
    """Store an uploaded photo on the default storage and queue its thumbnails after commit.

    Raises CatalogError for a file that is not an image or is larger than media.MAX_UPLOAD_BYTES.
    """
    try:
        media.validate_image(upload)
    except media.InvalidImage as exc:
        raise CatalogError(str(exc)) from None
    if position is None:
        position = product.images.count()
    image = ProductImage(product=product, alt_text=alt_text or product.name, position=position)
    image.image.save(upload.name, upload, save=False)
    image.save()
    queue_thumbnails(image)
    publish_products_changed([product.pk])
    return image


def queue_thumbnails(image: ProductImage) -> None:
    """Ask the worker for the image's thumbnails once the current transaction commits."""
    transaction.on_commit(lambda: tasks.make_thumbnails.delay(image.pk))


def product_image_make_thumbnails(*, image_id: int) -> ProductImage | None:
    """Render and store the small and large thumbnails of an image; None when the image is gone.

    Safe to run twice: the previous thumbnails are replaced, never duplicated.
    """
    image = ProductImage.objects.select_related("product").filter(pk=image_id).first()
    if image is None:
        return None
    small, large = media.render_thumbnails(image.image)
    for field, rendered in (("thumbnail_small", small), ("thumbnail_large", large)):
        previous = getattr(image, field)
        if previous:
            previous.delete(save=False)
        getattr(image, field).save(rendered.name, rendered, save=False)
    ProductImage.objects.filter(pk=image.pk).update(
        thumbnail_small=image.thumbnail_small.name, thumbnail_large=image.thumbnail_large.name
    )
    publish_products_changed([image.product_id])
    return image


@transaction.atomic
def product_image_update(*, image: ProductImage, alt_text: str = UNCHANGED, position: int = UNCHANGED) -> ProductImage:
    """Change an image's alt text or position; publishes product_changed when anything changed."""
    changes = {
        field: value
        for field, value in (("alt_text", alt_text), ("position", position))
        if value is not UNCHANGED and getattr(image, field) != value
    }
    if not changes:
        return image
    for field, value in changes.items():
        setattr(image, field, value)
    image.save(update_fields=list(changes))
    publish_products_changed([image.product_id])
    return image


@transaction.atomic
def product_image_delete(*, image: ProductImage) -> None:
    """Remove an image and, once the deletion commits, its files (original and thumbnails)."""
    files = [f for f in (image.image, image.thumbnail_small, image.thumbnail_large) if f]
    storage_names = [(f.storage, f.name) for f in files]
    product_id = image.product_id
    image.delete()
    transaction.on_commit(lambda: _delete_files(storage_names))
    publish_products_changed([product_id])


def _delete_files(storage_names: list) -> None:
    for storage, name in storage_names:
        storage.delete(name)
