"""Writes to stock. Each is one transaction that also writes its ledger rows and publishes its events.

No oversell: every write locks the stock rows it touches with SELECT ... FOR UPDATE, always in SKU
order, and checks availability under that lock, so concurrent reservations queue on the rows instead
of racing past each other and never deadlock. A check constraint (reserved <= on_hand) backs it up.
Commit, release and expiry lock the reservation row before its stock rows; reserve locks stock rows
and then inserts a new reservation row, which no other transaction can be holding.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from inventory.events import publish_stock_change, publish_stock_seeded
from inventory.models import Reservation, ReservationLine, StockItem, StockMovement

Reason = StockMovement.Reason
SEED_BATCH = 500
# The largest figure the stock columns hold; anything above is refused rather than overflowing.
MAX_STOCK = 2_147_483_647
# Stock held for longer than a month is not a checkout any more.
MAX_TTL_SECONDS = 30 * 24 * 3600


class InventoryError(Exception):
    """Base of the inventory's refusals; the message is fit to show to staff or a shopper."""


class InvalidInput(InventoryError, ValueError):
    """A quantity, SKU, reference or reason that can never be valid."""


class UnknownSku(InventoryError, LookupError):
    """The SKU has no stock record."""


class ReservationNotFound(InventoryError, LookupError):
    """No reservation carries this reference."""


class ReservationNotActive(InventoryError):
    """The reservation is in a state that does not allow the operation (e.g. commit after release)."""

    def __init__(self, reference: str, state: str, action: str):
        self.reference = reference
        self.state = state
        super().__init__(f"Reservation {reference} is {state} and cannot be {action}.")


@dataclass(frozen=True)
class ShortLine:
    """A line that cannot be served: how much was asked for and how much is available."""

    sku: str
    requested: int
    available: int


class InsufficientStock(InventoryError):
    """Not enough stock for one or more lines; `short_lines` names each of them."""

    def __init__(self, short_lines: list[ShortLine], message: str = ""):
        self.short_lines = short_lines
        super().__init__(
            message
            or "Not enough stock: "
            + "; ".join(f"{line.sku} (asked {line.requested}, {line.available} available)" for line in short_lines)
        )


class _DuplicateReference(Exception):
    """The reference is taken: the reservation it names is returned instead."""


def reservation_create(*, reference: str, lines: Mapping[str, int], ttl_seconds: int) -> Reservation:
    """Hold stock for every line, or for none, until committed, released or expired.

    Repeating a reference returns the reservation it already names, unchanged, whatever its state.
    Raises InsufficientStock (naming every short SKU; nothing is reserved) or InvalidInput.
    """
    _check_reference(reference)
    wanted = _check_lines(lines)
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or not 0 < ttl_seconds <= MAX_TTL_SECONDS:
        raise InvalidInput(f"A reservation's lifetime must be 1 to {MAX_TTL_SECONDS} seconds, not {ttl_seconds!r}.")
    try:
        return _reserve(reference=reference, wanted=wanted, expires_at=timezone.now() + timedelta(seconds=ttl_seconds))
    except _DuplicateReference:
        return Reservation.objects.prefetch_related("lines").get(reference=reference)


def _reserve(*, reference: str, wanted: dict[str, int], expires_at: datetime) -> Reservation:
    with transaction.atomic():
        items = _lock_items(wanted)
        try:
            # A concurrent duplicate waits here on the unique reference, then fails and returns the first.
            # No savepoint: the whole transaction is rolled back anyway.
            reservation = Reservation.objects.create(reference=reference, expires_at=expires_at)
        except IntegrityError:
            raise _DuplicateReference from None
        short = [
            ShortLine(sku=sku, requested=quantity, available=items[sku].available if sku in items else 0)
            for sku, quantity in wanted.items()
            if sku not in items or items[sku].available < quantity
        ]
        if short:
            raise InsufficientStock(short)
        before = {sku: item.available for sku, item in items.items()}
        for sku, quantity in wanted.items():
            items[sku].reserved += quantity
            items[sku].updated_at = reservation.created_at
        StockItem.objects.bulk_update(items.values(), ["reserved", "updated_at"])
        reservation_lines = ReservationLine.objects.bulk_create(
            ReservationLine(reservation=reservation, sku=sku, quantity=quantity) for sku, quantity in wanted.items()
        )
        StockMovement.objects.bulk_create(
            StockMovement(sku=sku, delta=-quantity, reason=Reason.RESERVED, reference=reference)
            for sku, quantity in wanted.items()
        )
        _publish_changes(items.values(), before)
    # Spare the caller a query for the lines it has just given.
    reservation._prefetched_objects_cache = {"lines": reservation_lines}
    return reservation


def reservation_commit(*, reference: str) -> Reservation:
    """Turn the held stock into a sale: it leaves on hand (available does not change).

    Committing twice changes nothing. Raises ReservationNotFound, or ReservationNotActive when the
    reservation was released or has expired (its stock is no longer held: reserve again).
    """
    with transaction.atomic():
        reservation = _lock_reservation(reference)
        if reservation.state == Reservation.State.COMMITTED:
            return reservation
        if reservation.state != Reservation.State.ACTIVE:
            raise ReservationNotActive(reference, reservation.state, "committed")
        lines = list(reservation.lines.all())
        items = _lock_items(line.sku for line in lines)
        now = timezone.now()
        movements = []
        for line in lines:
            item = items[line.sku]
            item.on_hand -= line.quantity
            item.reserved -= line.quantity
            item.updated_at = now
            movements += [
                StockMovement(sku=line.sku, delta=line.quantity, reason=Reason.RELEASED, reference=reference),
                StockMovement(sku=line.sku, delta=-line.quantity, reason=Reason.SOLD, reference=reference),
            ]
        StockItem.objects.bulk_update(items.values(), ["on_hand", "reserved", "updated_at"])
        StockMovement.objects.bulk_create(movements)
        reservation.state = Reservation.State.COMMITTED
        reservation.closed_at = now
        reservation.save(update_fields=["state", "closed_at"])
    return reservation


def reservation_release(*, reference: str) -> Reservation:
    """Give the held stock back. Releasing twice, or releasing an expired reservation, changes nothing.

    Raises ReservationNotFound, or ReservationNotActive for a committed one (its stock was sold:
    a return is received back instead).
    """
    with transaction.atomic():
        reservation = _lock_reservation(reference)
        if reservation.state in (Reservation.State.RELEASED, Reservation.State.EXPIRED):
            return reservation
        if reservation.state == Reservation.State.COMMITTED:
            raise ReservationNotActive(reference, reservation.state, "released")
        _give_back(reservation, Reservation.State.RELEASED)
    return reservation


def reservations_expire(*, now: datetime | None = None, limit: int = 500) -> int:
    """Release up to `limit` active reservations whose expiry has passed; returns how many.

    Each is released in its own transaction; one being committed or released at the same moment is
    skipped (SKIP LOCKED) and left to that other operation.
    """
    now = now or timezone.now()
    due = list(
        Reservation.objects.filter(state=Reservation.State.ACTIVE, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            reservation = (
                Reservation.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state=Reservation.State.ACTIVE, expires_at__lte=now)
                .first()
            )
            if reservation is None:
                continue
            _give_back(reservation, Reservation.State.EXPIRED)
            expired += 1
    return expired


def stock_receive(
    *, sku: str, quantity: int, reference: str = "", user_id: int | None = None, reason: str = Reason.RECEIVED
) -> StockItem:
    """Add stock that arrived (or came back, with reason "returned"); a new SKU gets a stock record.

    Raises InvalidInput for a quantity that is not a positive whole number.
    """
    _check_sku(sku)
    _check_quantity(quantity, what=f"The quantity received of {sku}")
    _check_text(reference, what="A reference", max_length=100)
    if reason not in (Reason.RECEIVED, Reason.RETURNED):
        raise InvalidInput(f"Stock is received as 'received' or 'returned', not {reason!r}.")
    with transaction.atomic():
        item = _lock_or_create_item(sku)
        _check_ceiling(sku, item.on_hand + quantity)
        before = item.available
        item.on_hand += quantity
        item.save(update_fields=["on_hand", "updated_at"])
        StockMovement.objects.create(sku=sku, delta=quantity, reason=reason, reference=reference, user_id=user_id)
        _publish_changes([item], {sku: before})
    return item


def stock_adjust(*, sku: str, delta: int, reason: str, reference: str = "", user_id: int | None = None) -> StockItem:
    """Correct stock on hand by `delta` (a count, damage, loss), recording the reason given.

    Raises UnknownSku, InvalidInput (zero delta, blank reason) or InsufficientStock when the
    correction would take away stock that is not available (reserved stock cannot be removed).
    """
    _check_sku(sku)
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise InvalidInput(f"An adjustment of {sku} needs a non-zero whole number, not {delta!r}.")
    note = (reason or "").strip()
    if not note:
        raise InvalidInput(f"An adjustment of {sku} needs a reason.")
    _check_text(note, what="The reason", max_length=255)
    _check_text(reference, what="A reference", max_length=100)
    with transaction.atomic():
        item = StockItem.objects.select_for_update().filter(sku=sku).first()
        if item is None:
            raise UnknownSku(f"There is no stock record for SKU {sku}.")
        before = item.available
        if before + delta < 0:
            raise InsufficientStock(
                [ShortLine(sku=sku, requested=-delta, available=before)],
                f"Cannot remove {-delta} of {sku}: only {before} available ({item.reserved} reserved).",
            )
        _check_ceiling(sku, item.on_hand + delta)
        item.on_hand += delta
        item.save(update_fields=["on_hand", "updated_at"])
        StockMovement.objects.create(
            sku=sku, delta=delta, reason=Reason.ADJUSTED, reference=reference, note=note[:255], user_id=user_id
        )
        _publish_changes([item], {sku: before})
    return item


def stock_set_level(
    *,
    sku: str,
    on_hand: int,
    low_stock_threshold: int | None = None,
    note: str,
    reference: str = "",
    user_id: int | None = None,
) -> tuple[StockItem, str]:
    """Set a SKU's stock on hand to a counted figure (and optionally its threshold), creating it if new.

    Returns the item and what happened: "created", "updated" or "unchanged". The difference goes to
    the ledger as received (new SKU) or adjusted. Raises InvalidInput, or InventoryError when the
    count is below what checkouts already hold.
    """
    _check_sku(sku)
    if isinstance(on_hand, bool) or not isinstance(on_hand, int) or on_hand < 0:
        raise InvalidInput(f"Stock on hand of {sku} must be a whole number of 0 or more, not {on_hand!r}.")
    _check_ceiling(sku, on_hand)
    _check_text(reference, what="A reference", max_length=100)
    if low_stock_threshold is not None and (
        not isinstance(low_stock_threshold, int) or not 0 <= low_stock_threshold <= MAX_STOCK
    ):
        raise InvalidInput(f"The low-stock threshold of {sku} must be a whole number of 0 or more.")
    with transaction.atomic():
        item = StockItem.objects.select_for_update().filter(sku=sku).first()
        created = item is None
        if created:
            item = _lock_or_create_item(sku)
        if on_hand < item.reserved:
            raise InventoryError(f"{sku} has {item.reserved} reserved; stock on hand cannot be set to {on_hand}.")
        delta = on_hand - item.on_hand
        threshold_changed = low_stock_threshold is not None and low_stock_threshold != item.low_stock_threshold
        if not created and delta == 0 and not threshold_changed:
            return item, "unchanged"
        before = item.available
        item.on_hand = on_hand
        if low_stock_threshold is not None:
            item.low_stock_threshold = low_stock_threshold
        item.save(update_fields=["on_hand", "low_stock_threshold", "updated_at"])
        if delta:
            StockMovement.objects.create(
                sku=sku,
                delta=delta,
                reason=Reason.RECEIVED if created else Reason.ADJUSTED,
                reference=reference,
                note=note[:255],
                user_id=user_id,
            )
        _publish_changes([item], {sku: before})
    return item, "created" if created else "updated"


def stock_seed(*, levels: Mapping[str, int]) -> int:
    """Create a stock record with the given quantity on hand for every SKU that has none; returns how many.

    Existing records are left untouched, so seeding twice changes nothing. Works in batches and
    publishes one stock_seeded event naming every given SKU as in or out of stock. Raises InvalidInput
    (nothing written) for a blank SKU or a quantity that is not a whole number of 0 or more.
    """
    for sku, quantity in levels.items():
        _check_sku(sku)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise InvalidInput(f"Seed quantity of {sku} must be a whole number of 0 or more, not {quantity!r}.")
        _check_ceiling(sku, quantity)
    if not levels:
        return 0
    skus = list(levels)
    with transaction.atomic():
        available: dict[str, int] = {}
        for start in range(0, len(skus), SEED_BATCH):
            chunk = skus[start : start + SEED_BATCH]
            batch = StockItem.objects.filter(sku__in=chunk).only("sku", "on_hand", "reserved")
            available.update({item.sku: item.available for item in batch})
        new = [sku for sku in skus if sku not in available]
        StockItem.objects.bulk_create((StockItem(sku=sku, on_hand=levels[sku]) for sku in new), batch_size=SEED_BATCH)
        StockMovement.objects.bulk_create(
            (
                StockMovement(sku=sku, delta=levels[sku], reason=Reason.RECEIVED, note="initial stock")
                for sku in new
                if levels[sku] > 0
            ),
            batch_size=SEED_BATCH,
        )
        available.update({sku: levels[sku] for sku in new})
        publish_stock_seeded(
            skus_in_stock=[sku for sku in skus if available[sku] > 0],
            skus_out_of_stock=[sku for sku in skus if available[sku] <= 0],
        )
    return len(new)


def _give_back(reservation: Reservation, state: str) -> None:
    lines = list(reservation.lines.all())
    items = _lock_items(line.sku for line in lines)
    before = {sku: item.available for sku, item in items.items()}
    now = timezone.now()
    for line in lines:
        items[line.sku].reserved -= line.quantity
        items[line.sku].updated_at = now
    StockItem.objects.bulk_update(items.values(), ["reserved", "updated_at"])
    StockMovement.objects.bulk_create(
        StockMovement(sku=line.sku, delta=line.quantity, reason=Reason.RELEASED, reference=reservation.reference)
        for line in lines
    )
    reservation.state = state
    reservation.closed_at = now
    reservation.save(update_fields=["state", "closed_at"])
    _publish_changes(items.values(), before)


def _lock_items(skus: Iterable[str]) -> dict[str, StockItem]:
    """Lock the stock rows of `skus` in SKU order (the fixed order that rules out deadlocks)."""
    return {
        item.sku: item
        for item in StockItem.objects.select_for_update().filter(sku__in=sorted(set(skus))).order_by("sku")
    }


def _lock_or_create_item(sku: str) -> StockItem:
    item = StockItem.objects.select_for_update().filter(sku=sku).first()
    if item is not None:
        return item
    try:
        with transaction.atomic():
            return StockItem.objects.create(sku=sku)
    except IntegrityError:
        # Created by a concurrent transaction since we looked: wait for its lock like everyone else.
        return StockItem.objects.select_for_update().get(sku=sku)


def _lock_reservation(reference: str) -> Reservation:
    reservation = Reservation.objects.select_for_update().filter(reference=reference).first()
    if reservation is None:
        raise ReservationNotFound(f"There is no reservation {reference!r}.")
    return reservation


def _publish_changes(items: Iterable[StockItem], before: Mapping[str, int]) -> None:
    for item in items:
        publish_stock_change(
            sku=item.sku,
            available_before=before[item.sku],
            on_hand=item.on_hand,
            reserved=item.reserved,
            threshold=item.low_stock_threshold,
        )


def _check_sku(sku: str) -> None:
    if not isinstance(sku, str) or not sku.strip() or len(sku) > 64 or not sku.isprintable():
        raise InvalidInput(f"A SKU is a code of 1 to 64 printable characters, not {sku!r}.")


def _check_text(text: str, *, what: str, max_length: int) -> None:
    if not isinstance(text, str) or len(text) > max_length or not text.isprintable():
        raise InvalidInput(f"{what} must be printable text of at most {max_length} characters.")


def _check_ceiling(sku: str, on_hand: int) -> None:
    if on_hand > MAX_STOCK:
        raise InvalidInput(f"Stock on hand of {sku} cannot exceed {MAX_STOCK}.")


def _check_reference(reference: str) -> None:
    if not isinstance(reference, str) or not reference.strip() or len(reference) > 100 or not reference.isprintable():
        raise InvalidInput(f"A reservation reference is a code of 1 to 100 printable characters, not {reference!r}.")


def _check_quantity(quantity: int, *, what: str) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidInput(f"{what} must be a positive whole number, not {quantity!r}.")


def _check_lines(lines: Mapping[str, int]) -> dict[str, int]:
    if not lines:
        raise InvalidInput("A reservation needs at least one line.")
    for sku, quantity in lines.items():
        _check_sku(sku)
        _check_quantity(quantity, what=f"The quantity of {sku}")
    return {sku: lines[sku] for sku in sorted(lines)}
