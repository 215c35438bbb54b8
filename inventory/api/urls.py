"""Inventory API routes, included under /api/v1/inventory/ by ecommerce.urls."""

from django.urls import path

from inventory.api import views

urlpatterns = [
    path("", views.StockLevelListView.as_view(), name="inventory-stock-level-list"),
    path("<str:sku>/", views.StockLevelDetailView.as_view(), name="inventory-stock-level-detail"),
    path("<str:sku>/receive/", views.ReceiveView.as_view(), name="inventory-receive"),
    path("<str:sku>/adjust/", views.AdjustView.as_view(), name="inventory-adjust"),
]
