"""Catalog: products, variants (SKUs), categories, images, prices and search."""
from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register the catalog's event handlers: stock flags from inventory's events, and the search
        # index and page caches that follow catalog.product_changed / price_changed.
        from catalog import events  # noqa: F401
        from catalog.search import handlers  # noqa: F401
