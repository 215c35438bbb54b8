"""Storefront URLs of the cart, included at /cart/ by ecommerce.urls."""

from django.urls import path

from cart import views

app_name = "cart"

urlpatterns = [
    path("", views.cart_detail, name="detail"),
    path("add/", views.cart_add, name="add"),
    path("clear/", views.cart_clear, name="clear"),
    path("lines/<str:sku>/quantity/", views.cart_line_update, name="line-update"),
    path("lines/<str:sku>/remove/", views.cart_line_remove, name="line-remove"),
]
