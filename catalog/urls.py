"""Storefront URLs of the catalog, included at the site root."""

from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/<slug:slug>/", views.product_detail, name="product_detail"),
    path("categories/<slug:slug>/", views.category_detail, name="category_detail"),
    path("search/", views.search, name="search"),
]
