"""Catalog tables: categories (a tree), products, variants (the SKUs), images and price history.

Only invariants live here. Writes go through catalog.services, which keep the denormalised
Product.min_price / in_stock columns and publish the catalog's events.
"""

from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}


def _clean_name(filename: str) -> str:
    """A storage-safe file name: slugified stem, lower-case known suffix (else .jpg)."""
    path = PurePosixPath(filename.replace("\\", "/"))
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        suffix = ".jpg"
    stem = slugify(path.stem)[:80] or "image"
    return f"{stem}{suffix}"


def product_image_path(instance: "ProductImage", filename: str) -> str:
    """products/<product-slug>/<sanitised name>: readable in the bucket, no path tricks from uploads."""
    return f"products/{instance.product.slug}/{_clean_name(filename)}"


def product_thumbnail_path(instance: "ProductImage", filename: str) -> str:
    """products/<product-slug>/thumbs/<sanitised name> for the generated thumbnails."""
    return f"products/{instance.product.slug}/thumbs/{_clean_name(filename)}"


class Category(models.Model):
    """A node of the category tree; `parent` is None for a top-level category."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, related_name="children", on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)
    is_featured = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def ancestors(self) -> list["Category"]:
        """This category and its parents, root first (for breadcrumbs); one query per level."""
        chain = [self]
        node = self
        while node.parent_id is not None:
            node = node.parent
            chain.append(node)
        return list(reversed(chain))


class Product(models.Model):
    """What a shopper browses; the things bought are its variants."""

    slug = models.SlugField(max_length=255, unique=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    brand = models.CharField(max_length=120, blank=True, db_index=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    attributes = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True, db_index=True)
    is_featured = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Denormalised for listings, search and facets; kept in step by catalog services and by the
    # handlers of inventory's stock events.
    min_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    in_stock = models.BooleanField(default=False, db_index=True)
    # Filled by the search backend; its GIN index exists on PostgreSQL only (migration 0002).
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class Variant(models.Model):
    """A sellable SKU of a product, e.g. size M in black."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255, blank=True)
    options = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    compare_at_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    is_active = models.BooleanField(default=True)
    in_stock = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0),
                name="catalog_variant_price_positive",
                violation_error_message="The price must be greater than 0.",
            ),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gt=models.F("price")),
                name="catalog_variant_compare_at_above_price",
                violation_error_message="The compare-at price must be higher than the price.",
            ),
        ]

    def __str__(self):
        return self.sku


class ProductImage(models.Model):
    """A product photo in the default storage, with thumbnails made after upload by a task."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=product_image_path, max_length=255)
    thumbnail_small = models.ImageField(upload_to=product_thumbnail_path, max_length=255, null=True, blank=True)
    thumbnail_large = models.ImageField(upload_to=product_thumbnail_path, max_length=255, null=True, blank=True)
    alt_text = models.CharField(max_length=255, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.alt_text or self.image.name


class PriceHistory(models.Model):
    """One change of a variant's price; the first row of a variant has no old price."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="price_history")
    old_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    new_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name_plural = "price history"

    def __str__(self):
        return f"{self.variant_id}: {self.old_price} -> {self.new_price}"
