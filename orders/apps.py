"""Orders: checkout, the payment port, orders and their status lifecycle."""
from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The events this context publishes (it subscribes to none yet).
        from orders import events  # noqa: F401
