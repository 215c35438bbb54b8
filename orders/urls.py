"""Storefront routes of orders: /checkout/... and /orders/..., included by ecommerce.urls."""

from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("checkout/", views.checkout_details, name="checkout"),
    path("checkout/review/", views.checkout_review, name="checkout-review"),
    path("orders/", views.order_list, name="list"),
    path("orders/lookup/", views.order_lookup, name="lookup"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
]
