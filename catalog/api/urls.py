"""Catalog API routes, included under /api/v1/ by ecommerce.urls."""

from django.urls import path

from catalog.api import views

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="catalog-product-list"),
    path("products/<slug:slug>/", views.ProductDetailView.as_view(), name="catalog-product-detail"),
    path(
        "products/<slug:slug>/variants/",
        views.ProductVariantCreateView.as_view(),
        name="catalog-product-variant-create",
    ),
    path("variants/", views.VariantLookupView.as_view(), name="catalog-variant-lookup"),
    path("variants/<str:sku>/", views.VariantDetailView.as_view(), name="catalog-variant-detail"),
    path("categories/", views.CategoryTreeView.as_view(), name="catalog-category-tree"),
]
