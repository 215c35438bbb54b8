"""The events orders publishes (payloads are JSON; amounts as strings). Orders listens to none yet."""

from ecommerce.events import publish

ORDER_PLACED = "orders.order_placed.v1"
ORDER_STATUS_CHANGED = "orders.order_status_changed.v1"
ORDER_CANCELLED = "orders.order_cancelled.v1"


def publish_order_placed(order, lines) -> None:
    """Announce a new order with everything a consumer in another service needs."""
    publish(
        ORDER_PLACED,
        {
            "number": order.number,
            "user_id": order.user_id,
            "email": order.email,
            "currency": order.currency,
            "lines": [
                {
                    "sku": line.sku,
                    "product_name": line.product_name,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "line_total": str(line.line_total),
                }
                for line in lines
            ],
            "subtotal": str(order.subtotal),
            "shipping": str(order.shipping_cost),
            "tax": str(order.tax),
            "total": str(order.total),
            "placed_at": order.placed_at.isoformat(),
        },
    )


def publish_status_changed(order, *, from_status: str, by_user_id: int | None, note: str) -> None:
    publish(
        ORDER_STATUS_CHANGED,
        {
            "number": order.number,
            "user_id": order.user_id,
            "email": order.email,
            "from": from_status,
            "to": order.status,
            "by_user_id": by_user_id,
            "note": note,
            "tracking_number": order.tracking_number,
        },
    )


def publish_order_cancelled(order, *, reason: str, lines, stock: str) -> None:
    """`stock` says what happened to the goods: "released" (never sold) or "returned" (back on hand)."""
    publish(
        ORDER_CANCELLED,
        {
            "number": order.number,
            "user_id": order.user_id,
            "email": order.email,
            "reason": reason,
            "stock": stock,
            "lines": [{"sku": line.sku, "quantity": line.quantity} for line in lines],
        },
    )
