"""Stock per SKU, reservations and the movement ledger.

The ledger's arithmetic: every movement's delta is its change to the SKU's *available* quantity.
Movements that change stock on hand (received, sold, returned, adjusted) sum to `on_hand`; those
that hold stock for a checkout (reserved, released) sum to minus `reserved`. So the ledger of a SKU
always sums to `on_hand - reserved`. Committing a reservation writes two rows: the hold is
released (+q) and the stock is sold (-q).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


def default_low_stock_threshold() -> int:
    return settings.INVENTORY_LOW_STOCK_THRESHOLD


class StockItem(models.Model):
    """The stock of one SKU: what is on the shelf and how much of it checkouts are holding."""

    sku = models.CharField(max_length=64, unique=True)
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    low_stock_threshold = models.PositiveIntegerField(default=default_low_stock_threshold)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="inventory_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inventory_reserved_not_negative"),
            # available = on_hand - reserved never goes negative: the last guard against overselling.
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="inventory_available_not_negative"),
        ]

    def __str__(self):
        return f"{self.sku}: {self.available} available"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Reservation(models.Model):
    """Stock held for a checkout or an order, identified by the caller's reference."""

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        COMMITTED = "committed", "Committed"
        RELEASED = "released", "Released"
        EXPIRED = "expired", "Expired"

    reference = models.CharField(max_length=100, unique=True)
    state = models.CharField(max_length=10, choices=State, default=State.ACTIVE)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["expires_at"], condition=Q(state="active"), name="inventory_active_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.reference} ({self.state})"


class ReservationLine(models.Model):
    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(fields=["reservation", "sku"], name="inventory_reservation_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_reservation_line_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.sku}"


class StockMovement(models.Model):
    """One line of the ledger: a change to a SKU's available stock, why, for what and by whom."""

    class Reason(models.TextChoices):
        RECEIVED = "received", "Received"
        SOLD = "sold", "Sold"
        RETURNED = "returned", "Returned"
        ADJUSTED = "adjusted", "Adjusted"
        RESERVED = "reserved", "Reserved"
        RELEASED = "released", "Released"

    sku = models.CharField(max_length=64)
    delta = models.IntegerField()
    reason = models.CharField(max_length=10, choices=Reason)
    reference = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=255, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sku", "created_at"], name="inventory_movement_sku_idx")]

    def __str__(self):
        return f"{self.sku} {self.delta:+d} {self.reason}"
