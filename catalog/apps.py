"""Catalog: products, variants (SKUs), categories, images, prices and search."""
from importlib.util import find_spec

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Handlers of inventory's stock events, and (once search exists) the indexing handler.
        from catalog import events  # noqa: F401

        if find_spec("catalog.search") is not None and find_spec("catalog.search.handlers") is not None:
            from catalog.search import handlers  # noqa: F401
