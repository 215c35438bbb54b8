"""Reads of orders, each in a fixed number of queries whatever the number of lines or orders."""

from django.db.models import Prefetch, QuerySet, Sum

from orders.models import Order, OrderLine, Payment, StatusChange


def orders_of_user(*, user_id: int) -> QuerySet[Order]:
    """A shopper's orders, newest first, with their item count (paginate it)."""
    orders = Order.objects.filter(user_id=user_id).annotate(item_count=Sum("lines__quantity"))
    return orders.order_by("-placed_at", "-id")


def _with_details(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("user").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("history", queryset=StatusChange.objects.select_related("by").order_by("at", "id")),
        Prefetch("payments", queryset=Payment.objects.order_by("created_at", "id")),
    )


def order_detail(*, number: str) -> Order | None:
    """The order with its lines, timeline and payments, or None."""
    return _with_details(Order.objects.filter(number=number)).first()


def order_of_user(*, number: str, user_id: int) -> Order | None:
    """The order if it belongs to this shopper, else None (another's order does not exist for them)."""
    return _with_details(Order.objects.filter(number=number, user_id=user_id)).first()


def order_for_guest(*, number: str, email: str) -> Order | None:
    """The order with this number placed with this e-mail (case-insensitive), else None."""
    number, email = (number or "").strip().upper(), (email or "").strip()
    if not number or not email:
        return None
    return _with_details(Order.objects.filter(number=number, email__iexact=email)).first()


def orders_for_api(*, user_id: int) -> QuerySet[Order]:
    """A shopper's orders with their lines, newest first, for the API's list."""
    return _with_details(Order.objects.filter(user_id=user_id)).order_by("-placed_at", "-id")


def order_by_checkout_key(*, key: str) -> Order | None:
    """The order an idempotency key (scoped to its owner by the caller) already made, or None."""
    return _with_details(Order.objects.filter(checkout_key__key=key)).first()
