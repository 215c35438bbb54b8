"""Factories for the catalog: categories, products, variants and images.

ProductFactory leaves min_price and in_stock as given (services keep them in step in real code);
pass them explicitly when a test needs the denormalised columns.
"""

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
