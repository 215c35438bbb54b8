"""Orders, their lines (snapshots of what was sold), payments, status history and idempotency keys.

An order copies what it must keep from the catalog (product name, variant, SKU, unit price) and keeps
the cart's id, never a foreign key into another context, so its history survives catalog changes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", "Placed"
        PAID = "paid", "Paid"
        FULFILLED = "fulfilled", "Fulfilled"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    class Shipping(models.TextChoices):
        STANDARD = "standard", "Standard (3-5 working days)"
        EXPRESS = "express", "Express (next working day)"

    number = models.CharField(max_length=20, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField()
    cart_id = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PLACED, db_index=True)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_method = models.CharField(max_length=10, choices=Shipping)
    shipping_cost = models.DecimalField(max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4)
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_address = models.JSONField()
    tracking_number = models.CharField(max_length=64, blank=True)
    # Set when payment fails (declined or gateway error): the reason shown to the shopper.
    payment_failure = models.CharField(max_length=255, blank=True)
    placed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_total_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="shipped") | ~Q(tracking_number=""), name="orders_shipped_has_tracking"
            ),
        ]
        indexes = [models.Index(fields=["user", "-placed_at"], name="orders_user_placed_idx")]

    def __str__(self):
        return self.number

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class OrderLine(models.Model):
    """One SKU sold, as it was at the moment of the sale."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=255)
    variant_name = models.CharField(max_length=255, blank=True)
    product_slug = models.CharField(max_length=255, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="orders_line_sku_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.sku}"


class StatusChange(models.Model):
    """The timeline: every status an order entered, when, by whom and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=Order.Status)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "status history"

    def __str__(self):
        return f"{self.from_status or '-'} -> {self.to_status}"


class Payment(models.Model):
    """One attempt to take (or give back) money through the gateway. Card numbers are never stored."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"

    class Status(models.TextChoices):
        CAPTURED = "captured", "Captured"
        DECLINED = "declined", "Declined"
        FAILED = "failed", "Gateway error"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.CHARGE)
    status = models.CharField(max_length=10, choices=Status)
    gateway = models.CharField(max_length=100)
    reference = models.CharField(max_length=100, blank=True)  # the gateway's id of the capture or refund
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    card_last4 = models.CharField(max_length=4, blank=True)
    message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # However often a checkout is retried, an order is charged (and refunded) at most once.
            models.UniqueConstraint(
                fields=["order", "kind"], condition=Q(status__in=["captured", "refunded"]), name="orders_one_capture"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount} {self.currency} {self.status}"


class CheckoutKey(models.Model):
    """An idempotency key (form token or API Idempotency-Key) and the cart it was first used with.

    The unique key makes a concurrent duplicate wait for the first request's transaction, then find
    its order instead of making a second one.
    """

    key = models.CharField(max_length=255, unique=True)
    cart_fingerprint = models.CharField(max_length=100)
    order = models.OneToOneField(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="checkout_key")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key
