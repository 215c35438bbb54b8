"""Orders API routes, included under /api/v1/ by ecommerce.urls."""

from django.urls import path

from orders.api import views

urlpatterns = [
    path("orders/", views.OrderListCreateView.as_view(), name="orders-list"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="orders-detail"),
    path("orders/<str:number>/transitions/", views.OrderTransitionView.as_view(), name="orders-transition"),
]
