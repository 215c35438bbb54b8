"""Filters of the product list: category (with its subcategories), brand, price, stock, ids, ordering."""

import django_filters
from django import forms

from catalog import selectors
from catalog.models import Product


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    pass


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class IdInFilter(django_filters.BaseInFilter, IntegerFilter):
    pass


# Bounds keep absurd values a 400 instead of an overflow in the database driver.
MAX_ID = 2**63 - 1
PRICE_LIMITS = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


class ProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(method="filter_category", label="Category slug (subcategories included)")
    brand = CharInFilter(field_name="brand", label="Brands, comma-separated")
    min_price = django_filters.NumberFilter(field_name="min_price", lookup_expr="gte", **PRICE_LIMITS)
    max_price = django_filters.NumberFilter(field_name="min_price", lookup_expr="lte", **PRICE_LIMITS)
    in_stock = django_filters.BooleanFilter(field_name="in_stock")
    is_featured = django_filters.BooleanFilter(field_name="is_featured")
    ids = IdInFilter(field_name="id", label="Product ids, comma-separated", min_value=1, max_value=MAX_ID)
    ordering = django_filters.OrderingFilter(
        fields=(("min_price", "price"), ("created_at", "newest"), ("name", "name")),
        label="price, -price, newest, -newest, name, -name",
    )

    class Meta:
        model = Product
        fields = ["category", "brand", "min_price", "max_price", "in_stock", "is_featured", "ids"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id__in=selectors.category_with_descendant_ids(slug=value))
