"""Cart API routes, included under /api/v1/ by ecommerce.urls."""

from django.urls import path

from cart.api import views

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/lines/", views.CartLinesView.as_view(), name="cart-lines"),
    path("cart/lines/<str:sku>/", views.CartLineView.as_view(), name="cart-line"),
]
