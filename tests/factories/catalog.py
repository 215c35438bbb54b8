"""Factories for the catalog: categories, products, variants and images.

ProductFactory leaves min_price and in_stock as given (services keep them in step in real code);
pass them explicitly when a test needs the denormalised columns.
"""

import json
from decimal import Decimal

import factory

from catalog.models import Category, PriceHistory, Product, ProductImage, Variant


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    parent = None
    position = factory.Sequence(lambda n: n)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A sturdy thing that does what it says."
    brand = "Acme"
    category = factory.SubFactory(CategoryFactory)
    attributes = factory.LazyFunction(dict)
    is_active = True
    min_price = None
    currency = "USD"
    in_stock = False


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = ""
    options = factory.LazyFunction(dict)
    price = Decimal("10.00")
    compare_at_price = None
    currency = "USD"
    is_active = True
    in_stock = False
    position = 0


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(filename="photo.jpg", width=1200, height=900, color="navy", format="JPEG")
    alt_text = factory.LazyAttribute(lambda image: image.product.name)
    position = 0


class PriceHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceHistory

    variant = factory.SubFactory(VariantFactory)
    old_price = None
    new_price = factory.LazyAttribute(lambda row: row.variant.price)
    currency = "USD"



def _flatten(prefix: str, index: int, row: dict) -> dict:
    """One inline row as form fields; booleans become a checkbox that is present only when ticked."""
    fields = {}
    for key, value in row.items():
        if isinstance(value, bool):
            if value:
                fields[f"{prefix}-{index}-{key}"] = "on"
        else:
            fields[f"{prefix}-{index}-{key}"] = value
    return fields


def _management(prefix: str, total: int, initial: int) -> dict:
    return {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": initial,
            f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}


def product_admin_post_data(
    product: Product | None = None,
    *,
    category: Category | None = None,
    variant_changes: dict[str, dict] | None = None,
    new_variants: tuple[dict, ...] = (),
    images: tuple = (),
    **product_changes,
) -> dict:
    """The POST body of the admin's product form: the product's current values (or a new product in
    `category`), its stored variants with `variant_changes` ({sku: {field: value}}) applied,
    `new_variants` appended, and `images` (uploads) as new image rows.
    """
    fields = {
        "name": product.name if product else "New product",
        "slug": product.slug if product else "new-product",
        "category": product.category_id if product else category.pk,
        "brand": product.brand if product else "",
        "description": product.description if product else "",
        "attributes": json.dumps(product.attributes if product else {}),
        "is_active": product.is_active if product else True,
        "is_featured": product.is_featured if product else False,
        **product_changes,
    }
    data = {key: value for key, value in fields.items() if not isinstance(value, bool)}
    data.update({key: "on" for key, value in fields.items() if value is True})
    product_pk = product.pk if product else ""
    stored = list(product.variants.order_by("position", "id")) if product else []
    rows = [
        {
            "id": v.pk, "product": product_pk, "sku": v.sku, "name": v.name, "options": json.dumps(v.options),
            "price": str(v.price), "compare_at_price": "" if v.compare_at_price is None else str(v.compare_at_price),
            "currency": v.currency, "is_active": v.is_active, "position": v.position,
            **(variant_changes or {}).get(v.sku, {}),
        }
        for v in stored
    ]
    rows += [
        {"id": "", "product": product_pk, "name": "", "options": "{}", "compare_at_price": "", "currency": "USD",
         "is_active": True, "position": 0, **row}
        for row in new_variants
    ]
    data.update(_management("variants", len(rows), len(stored)))
    for index, row in enumerate(rows):
        data.update(_flatten("variants", index, row))
    data.update(_management("images", len(images), 0))
    for index, upload in enumerate(images):
        data.update(_flatten("images", index, {"id": "", "product": product_pk, "image": upload, "alt_text": "",
                                               "position": index}))
    return data
