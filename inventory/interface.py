"""The public face of the inventory context: the only module other contexts may import.

It exposes plain functions and frozen dataclasses (stdlib types only), never models or querysets.
Reservations are all-or-nothing and never oversell; `reserve`, `commit` and `release` may be
repeated with the same reference and change nothing the second time.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from inventory import selectors, services
from inventory.models import Reservation as ReservationRecord
from inventory.models import StockItem
from inventory.services import (
    InsufficientStock,
    InvalidInput,
    InventoryError,
    ReservationNotActive,
    ReservationNotFound,
    ShortLine,
    UnknownSku,
)

__all__ = [
    "InsufficientStock",
    "InvalidInput",
    "InventoryError",
    "Reservation",
    "ReservationLine",
    "ReservationNotActive",
    "ReservationNotFound",
    "ShortLine",
    "StockLevel",
    "UnknownSku",
    "adjust",
    "availability",
    "commit",
    "receive",
    "release",
    "reserve",
    "seed_stock",
]

IN_STOCK = "in_stock"
LOW = "low"
OUT = "out"


@dataclass(frozen=True)
class StockLevel:
    """A SKU's stock as a shopper-facing figure; `available` is never negative."""

    sku: str
    on_hand: int
    reserved: int
    available: int
    low_stock_threshold: int
    status: str  # "in_stock" | "low" (0 < available <= threshold) | "out"


@dataclass(frozen=True)
class ReservationLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class Reservation:
    """Stock held under a reference; state is "active", "committed", "released" or "expired"."""

    reference: str
    state: str
    expires_at: datetime
    lines: tuple[ReservationLine, ...]


def availability(skus: Iterable[str]) -> dict[str, StockLevel]:
    """The stock level of each SKU, in one query. A SKU without a stock record is "out", with zeros."""
    wanted = list(dict.fromkeys(skus))
    items = selectors.stock_items_by_sku(wanted)
    return {sku: _level(items[sku]) if sku in items else _unknown(sku) for sku in wanted}


def reserve(reference: str, lines: Mapping[str, int], ttl_seconds: int = 900) -> Reservation:
    """Hold `lines` ({sku: quantity}) for `ttl_seconds`, all or nothing.

    Raises InsufficientStock (with .short_lines, nothing reserved) or InvalidInput. A repeated
    reference returns the existing reservation unchanged.
    """
    return _reservation(services.reservation_create(reference=reference, lines=lines, ttl_seconds=ttl_seconds))


def commit(reference: str) -> None:
    """Turn the reservation into a sale: its stock leaves on hand. Repeating it changes nothing.

    Raises ReservationNotFound, or ReservationNotActive if it was released or has expired.
    """
    services.reservation_commit(reference=reference)


def release(reference: str) -> None:
    """Give the reserved stock back. Repeating it, or releasing an expired reservation, changes nothing.

    Raises ReservationNotFound, or ReservationNotActive if it was committed.
    """
    services.reservation_release(reference=reference)


def receive(sku: str, quantity: int, *, reference: str = "", user_id: int | None = None) -> StockLevel:
    """Add `quantity` (> 0) to stock on hand, creating the SKU's record if needed. Raises InvalidInput."""
    return _level(services.stock_receive(sku=sku, quantity=quantity, reference=reference, user_id=user_id))


def adjust(sku: str, delta: int, reason: str, *, reference: str = "", user_id: int | None = None) -> StockLevel:
    """Correct stock on hand by `delta`, with a reason.

    Raises UnknownSku, InvalidInput (zero delta, blank reason) or InsufficientStock (it would remove
    stock that is reserved or not there).
    """
    return _level(services.stock_adjust(sku=sku, delta=delta, reason=reason, reference=reference, user_id=user_id))


def seed_stock(levels: Mapping[str, int]) -> int:
    """Create stock records ({sku: on hand}) for SKUs that have none, in batches; returns how many.

    Existing records are untouched; publishes one inventory.stock_seeded.v1 event. Raises InvalidInput.
    """
    return services.stock_seed(levels=levels)


def _status(available: int, threshold: int) -> str:
    if available <= 0:
        return OUT
    return LOW if available <= threshold else IN_STOCK


def _level(item: StockItem) -> StockLevel:
    available = max(item.available, 0)
    return StockLevel(
        sku=item.sku,
        on_hand=item.on_hand,
        reserved=item.reserved,
        available=available,
        low_stock_threshold=item.low_stock_threshold,
        status=_status(available, item.low_stock_threshold),
    )


def _unknown(sku: str) -> StockLevel:
    threshold = settings.INVENTORY_LOW_STOCK_THRESHOLD
    return StockLevel(sku=sku, on_hand=0, reserved=0, available=0, low_stock_threshold=threshold, status=OUT)


def _reservation(record: ReservationRecord) -> Reservation:
    return Reservation(
        reference=record.reference,
        state=str(record.state),
        expires_at=record.expires_at,
        lines=tuple(ReservationLine(sku=line.sku, quantity=line.quantity) for line in record.lines.all()),
    )
