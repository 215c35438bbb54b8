"""Cart: anonymous and signed-in carts and their lines."""

from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "cart"
    verbose_name = "Cart"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Handlers of catalog and inventory events, and the merge of the session's cart on login.
        from cart import events, signals  # noqa: F401
