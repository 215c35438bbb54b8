"""Reads of stock, each in one bounded query."""

from collections.abc import Iterable

from django.db.models import F, Q, QuerySet

from inventory.models import Reservation, StockItem


def stock_items_by_sku(skus: Iterable[str]) -> dict[str, StockItem]:
    """The stock records of `skus` that exist, keyed by SKU, in one query.

    Strings that cannot be a stored SKU (too long, control characters) are not looked up.
    """
    wanted = [sku for sku in skus if len(sku) <= 64 and sku.isprintable()]
    if not wanted:
        return {}
    fields = ("sku", "on_hand", "reserved", "low_stock_threshold")
    return {item.sku: item for item in StockItem.objects.filter(sku__in=wanted).only(*fields)}


def reservation_with_lines(reference: str) -> Reservation | None:
    """The reservation named `reference` with its lines (two queries), or None."""
    return Reservation.objects.prefetch_related("lines").filter(reference=reference).first()


def stock_items_low() -> QuerySet[StockItem]:
    """Records with something available but no more than their threshold."""
    return StockItem.objects.annotate(available_now=F("on_hand") - F("reserved")).filter(
        available_now__gt=0, available_now__lte=F("low_stock_threshold")
    )


def stock_items_out() -> QuerySet[StockItem]:
    """Records with nothing available."""
    return StockItem.objects.filter(Q(on_hand__lte=F("reserved")))
