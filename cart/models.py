"""Carts and their lines.

A cart belongs to a signed-in user or, for an anonymous shopper, to a session key; each owner has at
most one open cart (a database constraint). A line keeps the SKU code (no foreign key into the
catalog), the price seen when it was added and a small product snapshot, so that the cart can still
be shown when the catalog does not answer.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

MAX_LINE_QUANTITY = 99


class Cart(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CHECKED_OUT = "checked_out", "Checked out"
        ABANDONED = "abandoned", "Abandoned"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="carts"
    )
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    order_number = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(session_key=""), name="cart_has_an_owner"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="open", user__isnull=False), name="cart_one_open_per_user"
            ),
            models.UniqueConstraint(
                fields=["session_key"],
                condition=Q(status="open", user__isnull=True),
                name="cart_one_open_per_session",
            ),
        ]

    def __str__(self) -> str:
        owner = f"user {self.user_id}" if self.user_id else f"session {self.session_key[:8]}..."
        return f"Cart {self.pk} ({owner}, {self.status})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64, db_index=True)
    quantity = models.PositiveSmallIntegerField()
    price_when_added = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    # Snapshot of the product when the line was added: what the cart shows if the catalog is down.
    product_name = models.CharField(max_length=255)
    variant_name = models.CharField(max_length=255, blank=True)
    product_slug = models.CharField(max_length=255)
    image_url = models.CharField(max_length=500, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="cart_line_one_per_sku"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_LINE_QUANTITY), name="cart_line_quantity_1_to_99"
            ),
            models.CheckConstraint(condition=Q(price_when_added__gte=0), name="cart_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"
