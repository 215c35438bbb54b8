"""The public face of the orders context: the only module other contexts may import.

It exposes plain functions and frozen dataclasses (stdlib types only), never models or querysets.
Other contexts mostly learn about orders from its events (orders.order_placed.v1,
orders.order_status_changed.v1, orders.order_cancelled.v1); these reads answer what events cannot.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from orders.models import Order

# Orders that never turned into a sale.
NOT_SOLD = (Order.Status.CANCELLED, Order.Status.REFUNDED)


@dataclass(frozen=True)
class OrderSummary:
    number: str
    status: str
    placed_at: datetime
    total: Decimal
    currency: str
    skus: tuple[str, ...]


def purchased_skus(user_id: int) -> frozenset[str]:
    """Every SKU the shopper has bought (orders cancelled or refunded left out), in one query."""
    return frozenset(
        Order.objects.filter(user_id=user_id)
        .exclude(status__in=NOT_SOLD)
        .values_list("lines__sku", flat=True)
        .exclude(lines__sku=None)
    )


def recent_orders(user_id: int, *, limit: int = 10) -> tuple[OrderSummary, ...]:
    """The shopper's latest orders, newest first, in two queries."""
    orders = Order.objects.filter(user_id=user_id).prefetch_related("lines").order_by("-placed_at", "-id")[:limit]
    return tuple(
        OrderSummary(
            number=order.number,
            status=order.status,
            placed_at=order.placed_at,
            total=order.total,
            currency=order.currency,
            skus=tuple(line.sku for line in order.lines.all()),
        )
        for order in orders
    )
