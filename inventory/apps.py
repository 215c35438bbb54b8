from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Inventory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The events this context publishes; it subscribes to none (it is the lowest context).
        from inventory import events  # noqa: F401
