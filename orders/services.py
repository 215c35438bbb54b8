"""Writes to orders: placing an order, paying for it and moving it through its lifecycle.

Placing is two transactions. The first claims the idempotency key, re-prices the cart from the
catalog, reserves the stock, writes the order and marks the cart checked out (all or nothing). The
second charges the card while holding the order's row lock, so that any number of retries of the
same checkout, sequential or concurrent, charge at most once (a unique constraint backs this up).

Every status change goes through `_transition`, which refuses illegal moves, writes the timeline
and publishes orders.order_status_changed.v1.
"""

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cart import interface as cart_interface
from catalog import interface as catalog
from inventory import interface as inventory
from orders import events
from orders.addresses import Address
from orders.models import CheckoutKey, Order, OrderLine, Payment, StatusChange
from orders.payments import Card, GatewayError, PaymentDeclined, get_gateway

logger = logging.getLogger(__name__)

Status = Order.Status
CENT = Decimal("0.01")
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U to misread
RESERVATION_TTL_SECONDS = 900
MAX_LINES = 100

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLACED: frozenset({Status.PAID, Status.CANCELLED}),
    Status.PAID: frozenset({Status.FULFILLED, Status.CANCELLED, Status.REFUNDED}),
    Status.FULFILLED: frozenset({Status.SHIPPED, Status.CANCELLED, Status.REFUNDED}),
    Status.SHIPPED: frozenset({Status.DELIVERED, Status.REFUNDED}),
    Status.DELIVERED: frozenset({Status.REFUNDED}),
    Status.CANCELLED: frozenset(),
    Status.REFUNDED: frozenset(),
}
# Goods still in the warehouse: cancelling or refunding these puts their stock back on hand.
NOT_YET_SHIPPED = frozenset({Status.PAID, Status.FULFILLED})
GATEWAY_DOWN = "The payment service did not answer, so nothing was charged. Please try again in a moment."


class OrderError(Exception):
    """Base of the refusals of this module; the message can be shown to a shopper or staff member."""


class CheckoutError(OrderError):
    """The cart cannot become an order as it stands."""


class EmptyCart(CheckoutError):
    pass


class CartNotAvailable(CheckoutError):
    """No such cart for this shopper, or it has already become an order."""


class ItemsNotSold(CheckoutError):
    pass


class PricesUnconfirmed(CheckoutError):
    """The catalog could not answer, so prices cannot be confirmed; nothing was reserved or charged."""


@dataclass(frozen=True)
class PriceChange:
    sku: str
    name: str
    seen: Decimal
    now: Decimal


class PriceChanged(CheckoutError):
    """A price changed since the shopper saw it; `totals` holds the new figures."""

    def __init__(self, changes: Sequence[PriceChange], totals: "Totals"):
        self.changes = list(changes)
        self.totals = totals
        detail = "; ".join(f"{c.name} is now {c.now} (was {c.seen})" for c in self.changes)
        super().__init__(
            "Prices changed since you last saw them"
            + (f": {detail}" if detail else "")
            + f". Your new total is {totals.total} {totals.currency}. Please review and place the order again."
        )


@dataclass(frozen=True)
class ShortItem:
    sku: str
    name: str
    requested: int
    available: int


class OutOfStock(CheckoutError):
    """Not enough stock for one or more lines; `items` names each of them."""

    def __init__(self, items: Sequence[ShortItem]):
        self.items = list(items)
        super().__init__(
            "Not enough stock: "
            + "; ".join(
                f"{item.name} (you asked for {item.requested}, "
                + (f"only {item.available} left)" if item.available else "it is out of stock)")
                for item in self.items
            )
            + ". Please change your cart and try again."
        )


class IdempotencyConflict(OrderError):
    """The idempotency key was already used for a different cart."""


class IllegalTransition(OrderError):
    pass


class RefundFailed(OrderError):
    pass


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    currency: str


@dataclass(frozen=True)
class Placement:
    """The outcome of a checkout: the order, whether this call made it, and why payment failed if it did."""

    order: Order
    created: bool

    @property
    def payment_failed(self) -> bool:
        return self.order.status == Status.CANCELLED and bool(self.order.payment_failure)


def shipping_cost(*, method: str, subtotal: Decimal) -> Decimal:
    """The flat rate of a shipping method; standard is free from settings.FREE_SHIPPING_THRESHOLD up."""
    if method == Order.Shipping.EXPRESS:
        return settings.SHIPPING_EXPRESS_RATE
    if method == Order.Shipping.STANDARD:
        return Decimal("0.00") if subtotal >= settings.FREE_SHIPPING_THRESHOLD else settings.SHIPPING_STANDARD_RATE
    raise CheckoutError(f"Unknown shipping option {method!r}; choose standard or express.")


def totals_for(*, subtotal: Decimal, shipping_method: str, currency: str) -> Totals:
    """Subtotal, shipping, tax (settings.TAX_RATE on goods and shipping) and the grand total, to the cent."""
    shipping = shipping_cost(method=shipping_method, subtotal=subtotal)
    tax = ((subtotal + shipping) * settings.TAX_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
    return Totals(subtotal=subtotal, shipping=shipping, tax=tax, total=subtotal + shipping + tax, currency=currency)


def order_place(
    *,
    cart_id: int,
    idempotency_key: str,
    email: str,
    address: Address,
    shipping_method: str,
    card: Card,
    user_id: int | None,
    session_key: str | None = None,
    expected_total: Decimal | None = None,
) -> Placement:
    """Turn the shopper's cart into an order and charge it; the same key always answers with the same order.

    `expected_total` is the grand total the shopper agreed to (review page); without it, the prices of
    the cart lines are what the shopper saw. Raises CheckoutError subclasses (EmptyCart,
    CartNotAvailable, ItemsNotSold, PricesUnconfirmed, PriceChanged, OutOfStock) with nothing reserved
    or charged, or IdempotencyConflict when the key was used with another cart. A declined card or a
    gateway that keeps failing is not an exception: the returned order is cancelled, its stock released,
    and `order.payment_failure` says why.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > 255:
        raise CheckoutError("A checkout needs an idempotency key of 1 to 255 characters.")
    cart = _shoppers_cart(cart_id=cart_id, user_id=user_id, session_key=session_key)
    order, created = _order_create(
        cart=cart,
        key=key,
        email=email,
        address=address,
        shipping_method=shipping_method,
        user_id=user_id,
        expected_total=expected_total,
    )
    if order.status == Status.PLACED:
        order = order_pay(order_id=order.pk, card=card)
    return Placement(order=order, created=created)


def order_pay(*, order_id: int, card: Card) -> Order:
    """Charge a placed order once: paid and its stock sold, or cancelled with the reason and stock released.

    The order's row stays locked while the gateway is called, so a concurrent retry waits and then
    finds the order already paid (or cancelled). An order that is no longer "placed" is returned as is.
    """
    gateway = get_gateway()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status != Status.PLACED:
            return order
        failure, status = "", ""
        try:
            # Selling the stock and charging stand or fall together.
            with transaction.atomic():
                inventory.commit(order.number)
                authorization = _with_retries(
                    lambda: gateway.authorize(
                        amount=order.total, currency=order.currency, card=card, reference=order.number
                    )
                )
                capture = _with_retries(lambda: gateway.capture(authorization=authorization, reference=order.number))
        except PaymentDeclined as exc:
            failure, status = str(exc), Payment.Status.DECLINED
        except GatewayError:
            failure, status = GATEWAY_DOWN, Payment.Status.FAILED
        except inventory.ReservationNotActive:
            failure = "Your checkout took too long and the items are no longer held for you; nothing was charged."
        if failure:
            if status:
                Payment.objects.create(
                    order=order,
                    status=status,
                    gateway=gateway.name,
                    amount=order.total,
                    currency=order.currency,
                    card_last4=card.last4,
                    message=failure,
                )
            order.payment_failure = failure
            _transition(order, Status.CANCELLED, by_user_id=None, note=f"Payment failed: {failure}")
            inventory.release(order.number)
            _give_the_cart_back(order.cart_id)
            events.publish_order_cancelled(order, reason=failure, lines=order.lines.all(), stock="released")
            return order
        Payment.objects.create(
            order=order,
            status=Payment.Status.CAPTURED,
            gateway=gateway.name,
            reference=capture.id,
            amount=capture.amount,
            currency=capture.currency,
            card_last4=authorization.card_last4,
        )
        order.paid_at = timezone.now()
        _transition(order, Status.PAID, by_user_id=None, note=f"Paid by card ending {authorization.card_last4}")
    return order


def order_mark_fulfilled(*, number: str, by_user_id: int | None) -> Order:
    """Packed and ready to ship. Raises IllegalTransition unless the order is paid."""
    with transaction.atomic():
        order = _lock(number)
        _transition(order, Status.FULFILLED, by_user_id=by_user_id, note="Packed")
    return order


def order_mark_shipped(*, number: str, tracking_number: str, by_user_id: int | None) -> Order:
    """Handed to the carrier with a tracking number. Raises OrderError for a blank one, IllegalTransition
    unless the order is fulfilled."""
    tracking = (tracking_number or "").strip()
    if not tracking or len(tracking) > 64:
        raise OrderError("A shipped order needs a tracking number of 1 to 64 characters.")
    with transaction.atomic():
        order = _lock(number)
        _check_transition(order, Status.SHIPPED)
        order.tracking_number = tracking
        _transition(order, Status.SHIPPED, by_user_id=by_user_id, note=f"Tracking number {tracking}")
    return order


def order_mark_delivered(*, number: str, by_user_id: int | None) -> Order:
    """The carrier delivered it. Raises IllegalTransition unless the order is shipped."""
    with transaction.atomic():
        order = _lock(number)
        _transition(order, Status.DELIVERED, by_user_id=by_user_id, note="Delivered")
    return order


def order_cancel(*, number: str, by_user_id: int | None, reason: str = "") -> Order:
    """Cancel an order that has not shipped: stock held is released, stock sold goes back on hand
    (reason "returned") and a captured payment is refunded through the gateway.

    Raises IllegalTransition once shipped (refund it instead), RefundFailed if the gateway is down.
    """
    note = (reason or "").strip()[:200] or "Cancelled by staff"
    with transaction.atomic():
        order = _lock(number)
        _check_transition(order, Status.CANCELLED)
        lines = list(order.lines.all())
        if order.status == Status.PLACED:
            inventory.release(order.number)
            stock = "released"
        else:
            _refund(order)
            _return_stock(order, lines, by_user_id=by_user_id)
            stock = "returned"
        _transition(order, Status.CANCELLED, by_user_id=by_user_id, note=note)
        events.publish_order_cancelled(order, reason=note, lines=lines, stock=stock)
    return order


def order_refund(*, number: str, by_user_id: int | None, reason: str = "") -> Order:
    """Give the whole payment back through the gateway. Goods not yet shipped go back on hand; shipped
    goods come back (if at all) through the warehouse's own receiving.

    Raises IllegalTransition for an order never paid, or already cancelled or refunded; RefundFailed
    if the gateway is down (nothing changes).
    """
    note = (reason or "").strip()[:200] or "Refunded by staff"
    with transaction.atomic():
        order = _lock(number)
        _check_transition(order, Status.REFUNDED)
        _refund(order)
        if order.status in NOT_YET_SHIPPED:
            _return_stock(order, list(order.lines.all()), by_user_id=by_user_id)
        _transition(order, Status.REFUNDED, by_user_id=by_user_id, note=note)
    return order


def orders_cancel_unpaid(*, older_than_seconds: int = RESERVATION_TTL_SECONDS, limit: int = 200) -> int:
    """Cancel orders still "placed" (their payment never finished: a crash between placing and paying)
    after their reservation's lifetime, releasing any stock still held; returns how many.

    An order being paid at this moment is skipped (SKIP LOCKED) and left to the payment.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    due = list(
        Order.objects.filter(status=Status.PLACED, placed_at__lte=cutoff)
        .order_by("placed_at")
        .values_list("pk", flat=True)[:limit]
    )
    cancelled = 0
    for pk in due:
        with transaction.atomic():
            order = Order.objects.select_for_update(skip_locked=True).filter(pk=pk, status=Status.PLACED).first()
            if order is None:
                continue
            note = "Payment never completed"
            inventory.release(order.number)
            _transition(order, Status.CANCELLED, by_user_id=None, note=note)
            events.publish_order_cancelled(order, reason=note, lines=order.lines.all(), stock="released")
            cancelled += 1
    return cancelled


def allowed_transitions(status: str) -> list[str]:
    """The statuses an order in `status` may move to, in lifecycle order."""
    return [choice for choice in Status.values if choice in TRANSITIONS[status]]


# Placing


def _shoppers_cart(*, cart_id: int, user_id: int | None, session_key: str | None) -> cart_interface.CartInfo:
    try:
        cart = cart_interface.cart_by_id(cart_id)
    except cart_interface.CartNotFound:
        raise CartNotAvailable("There is no such cart.") from None
    owner_matches = (
        cart.user_id == user_id
        if user_id is not None
        else (cart.user_id is None and bool(session_key) and cart.session_key == session_key)
    )
    if not owner_matches:
        raise CartNotAvailable("There is no such cart.")
    return cart


def _order_create(
    *,
    cart: cart_interface.CartInfo,
    key: str,
    email: str,
    address: Address,
    shipping_method: str,
    user_id: int | None,
    expected_total: Decimal | None,
) -> tuple[Order, bool]:
    fingerprint = f"{cart.id}:{cart.version}"
    with transaction.atomic():
        # A concurrent request with the same key blocks here until this transaction ends, then finds
        # the order this one made (or claims the key itself if this one rolled back).
        claim, claimed = CheckoutKey.objects.select_related("order").get_or_create(
            key=key, defaults={"cart_fingerprint": fingerprint}
        )
        if not claimed:
            if claim.cart_fingerprint != fingerprint:
                raise IdempotencyConflict(
                    "This idempotency key was already used for a different cart; send a new key for a new checkout."
                )
            return claim.order, False
        _check_cart_can_check_out(cart)
        priced, changes = _priced_lines(cart)
        totals = totals_for(
            subtotal=sum((line.line_total for line in priced), Decimal("0.00")),
            shipping_method=shipping_method,
            currency=cart.currency,
        )
        # With the total the shopper agreed to, that total is what must hold; without it, every price.
        if (totals.total != expected_total) if expected_total is not None else changes:
            raise PriceChanged(changes, totals)
        number = _new_number()
        try:
            inventory.reserve(number, {line.sku: line.quantity for line in priced}, RESERVATION_TTL_SECONDS)
        except inventory.InsufficientStock as exc:
            names = {line.sku: line.product_name for line in priced}
            raise OutOfStock(
                [
                    ShortItem(sku=s.sku, name=names.get(s.sku, s.sku), requested=s.requested, available=s.available)
                    for s in exc.short_lines
                ]
            ) from None
        order = Order.objects.create(
            number=number,
            user_id=user_id,
            email=email.strip(),
            cart_id=cart.id,
            currency=totals.currency,
            subtotal=totals.subtotal,
            shipping_method=shipping_method,
            shipping_cost=totals.shipping,
            tax_rate=settings.TAX_RATE,
            tax=totals.tax,
            total=totals.total,
            shipping_address=address.as_dict(),
        )
        for line in priced:
            line.order = order
        OrderLine.objects.bulk_create(priced)
        StatusChange.objects.create(order=order, to_status=Status.PLACED, by_id=user_id, note="Order placed")
        claim.order = order
        claim.save(update_fields=["order"])
        cart_interface.mark_checked_out(cart.id, order_number=number)
        events.publish_order_placed(order, priced)
    return order, True


def _give_the_cart_back(cart_id: int) -> None:
    """After a failed payment the shopper keeps their cart, unless they have started filling another."""
    try:
        cart_interface.reopen(cart_id)
    except cart_interface.CartError as exc:
        logger.info("cart %s stays checked out after a failed payment: %s", cart_id, exc)


def _check_cart_can_check_out(cart: cart_interface.CartInfo) -> None:
    if not cart.lines:
        raise EmptyCart("Your cart is empty.")
    if len(cart.lines) > MAX_LINES:
        raise CheckoutError(f"An order can hold at most {MAX_LINES} different items.")
    if cart.status == "open":
        return
    # A cart whose orders all failed at payment may be checked out again (with another card).
    earlier = Order.objects.filter(cart_id=cart.id).exclude(status=Status.CANCELLED, payment_failure__gt="")
    number = earlier.values_list("number", flat=True).first()
    if number is not None or cart.status != "checked_out":
        raise CartNotAvailable(
            f"This cart has already become order {number}." if number else "This cart can no longer be checked out."
        )


def _priced_lines(cart: cart_interface.CartInfo) -> tuple[list[OrderLine], list[PriceChange]]:
    """Order lines at today's catalog prices and the prices that differ from the cart's; raises
    ItemsNotSold or PricesUnconfirmed."""
    try:
        variants = catalog.variants_by_skus([line.sku for line in cart.lines])
    except catalog.CatalogUnavailable:
        raise PricesUnconfirmed(
            "We could not confirm today's prices, so nothing was charged. Please try again in a moment."
        ) from None
    gone = [line.product_name for line in cart.lines if line.sku not in variants or not variants[line.sku].is_active]
    if gone:
        raise ItemsNotSold(f"No longer sold: {', '.join(gone)}. Please remove it from your cart.")
    lines, changes = [], []
    for line in cart.lines:
        variant = variants[line.sku]
        if variant.price != line.unit_price:
            changes.append(
                PriceChange(sku=line.sku, name=variant.product_name, seen=line.unit_price, now=variant.price)
            )
        lines.append(
            OrderLine(
                sku=line.sku,
                product_name=variant.product_name,
                variant_name=variant.name,
                product_slug=variant.product_slug,
                unit_price=variant.price,
                quantity=line.quantity,
                line_total=(variant.price * line.quantity).quantize(CENT),
                currency=variant.currency,
            )
        )
    return lines, changes


def _new_number() -> str:
    """A number a shopper can read out on the phone: the day, then 8 characters of Crockford base 32."""
    return f"{timezone.now():%y%m%d}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


T = TypeVar("T")


def _with_retries(call: Callable[[], T]) -> T:
    """Call the gateway, trying again on GatewayError up to settings.PAYMENT_GATEWAY_ATTEMPTS times."""
    attempts = max(1, settings.PAYMENT_GATEWAY_ATTEMPTS)
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except GatewayError:
            logger.warning("payment gateway error (attempt %d of %d)", attempt, attempts)
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


# Lifecycle


def _lock(number: str) -> Order:
    order = Order.objects.select_for_update().filter(number=number).first()
    if order is None:
        raise OrderError(f"There is no order {number}.")
    return order


def _check_transition(order: Order, to_status: str) -> None:
    if to_status not in TRANSITIONS[order.status]:
        allowed = allowed_transitions(order.status)
        raise IllegalTransition(
            f"Order {order.number} is {order.get_status_display().lower()} and cannot become "
            f"{Status(to_status).label.lower()}. "
            + (f"It can become: {', '.join(allowed)}." if allowed else "Its lifecycle has ended.")
        )


def _transition(order: Order, to_status: str, *, by_user_id: int | None, note: str) -> None:
    """Move the (locked) order to `to_status`, record it on the timeline and announce it."""
    _check_transition(order, to_status)
    from_status = order.status
    order.status = to_status
    order.save()
    StatusChange.objects.create(order=order, from_status=from_status, to_status=to_status, by_id=by_user_id, note=note)
    events.publish_status_changed(order, from_status=from_status, by_user_id=by_user_id, note=note)


def _refund(order: Order) -> None:
    capture = order.payments.filter(kind=Payment.Kind.CHARGE, status=Payment.Status.CAPTURED).first()
    if capture is None:
        return
    gateway = get_gateway()
    try:
        refund = _with_retries(
            lambda: gateway.refund(
                capture_id=capture.reference, amount=capture.amount, currency=capture.currency, reference=order.number
            )
        )
    except GatewayError:
        raise RefundFailed(
            f"The payment service did not answer, so order {order.number} was not refunded. Try again later."
        ) from None
    Payment.objects.create(
        order=order,
        kind=Payment.Kind.REFUND,
        status=Payment.Status.REFUNDED,
        gateway=gateway.name,
        reference=refund.id,
        amount=refund.amount,
        currency=refund.currency,
        card_last4=capture.card_last4,
    )


def _return_stock(order: Order, lines: list[OrderLine], *, by_user_id: int | None) -> None:
    for line in lines:
        inventory.adjust(line.sku, line.quantity, "returned", reference=order.number, user_id=by_user_id)
