"""Writes to carts: add, set quantity, remove, clear, merge on login and checkout.

Every service runs in one transaction, locks the cart it changes, raises CartError (or a subclass)
with a message a shopper can read, and forgets the cart's cached read model (at once and again after
commit, so a read racing the write cannot keep stale data in the cache).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from cart import events, selectors
from cart.models import MAX_LINE_QUANTITY, Cart, CartLine
from cart.products import CatalogDown, current_variant
from catalog.interface import ProductNotFound
from inventory.interface import availability


class CartError(Exception):
    """A cart change was refused; str(error) is a message for the shopper."""


class LineNotFound(CartError):
    """The cart has no line for this SKU."""


class CartClosed(CartError):
    """The cart is checked out or abandoned and can no longer change."""


@dataclass(frozen=True)
class MergeResult:
    """What a merge on login did: how many items came over, and which lines were capped by stock."""

    items_added: int
    capped: tuple[str, ...]  # "Oxford Shirt (M / Blue): only 3 left"


@dataclass(frozen=True)
class _Snapshot:
    price: Decimal
    currency: str
    product_name: str
    variant_name: str
    product_slug: str
    image_url: str

    @property
    def label(self) -> str:
        return f"{self.product_name} ({self.variant_name})" if self.variant_name else self.product_name


def _label(line: CartLine) -> str:
    return f"{line.product_name} ({line.variant_name})" if line.variant_name else line.product_name


def _forget(cart_ids: list[int], owners: tuple[tuple[int | None, str | None], ...] = ()) -> None:
    def forget() -> None:
        selectors.forget_carts(cart_ids)
        for user_id, session_key in owners:
            selectors.forget_owner(user_id=user_id, session_key=session_key)

    forget()
    transaction.on_commit(forget)


def _touch(cart_id: int) -> None:
    Cart.objects.filter(pk=cart_id).update(updated_at=timezone.now())
    _forget([cart_id])


def _check_quantity(quantity: int) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise CartError(f"Choose a quantity from 1 to {MAX_LINE_QUANTITY}.")


def _open_cart_locked(cart_id: int) -> Cart:
    cart = Cart.objects.select_for_update().filter(pk=cart_id).first()
    if cart is None:
        raise selectors.CartNotFound(f"no cart with the id {cart_id}")
    if cart.status != Cart.Status.OPEN:
        raise CartClosed("This cart has already been checked out; start a new one.")
    return cart


def _check_stock(sku: str, wanted: int, label: str, in_cart: int = 0) -> None:
    available = availability([sku])[sku].available
    if wanted <= available:
        return
    if available == 0:
        raise CartError(f"Sorry, {label} is out of stock.")
    if in_cart:
        raise CartError(f"Only {available} of {label} left, and you already have {in_cart} in your cart.")
    raise CartError(f"Only {available} of {label} left.")


def _snapshot(sku: str, line: CartLine | None) -> _Snapshot:
    """Current product data for a SKU; the snapshot of a line already seen when the catalog is down."""
    try:
        variant = current_variant(sku)
    except ProductNotFound:
        raise CartError(f"We don't sell an item with the code {sku!r}.") from None
    except CatalogDown:
        seen = line or CartLine.objects.filter(sku=sku).order_by("-added_at", "-id").first()
        if seen is None:
            raise CartError(
                "We can't add this item right now because its details are not available. Please try again shortly."
            ) from None
        return _Snapshot(
            seen.price_when_added,
            seen.currency,
            seen.product_name,
            seen.variant_name,
            seen.product_slug,
            seen.image_url,
        )
    snapshot = _Snapshot(
        variant.price, variant.currency, variant.product_name, variant.name, variant.product_slug, variant.image_url
    )
    if not variant.is_active:
        raise CartError(f"{snapshot.label} is no longer sold.")
    return snapshot


@transaction.atomic
def cart_get_or_create(*, user_id: int | None, session_key: str | None) -> Cart:
    """The owner's open cart, created if there is none. Raises CartError without an owner."""
    if user_id is None and not session_key:
        raise CartError("A cart needs a signed-in shopper or a session.")
    carts = Cart.objects.filter(status=Cart.Status.OPEN)
    if user_id is not None:
        carts = carts.filter(user_id=user_id)
    else:
        carts = carts.filter(user__isnull=True, session_key=session_key)
    cart = carts.first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            cart = Cart.objects.create(user_id=user_id, session_key="" if user_id is not None else session_key)
    except IntegrityError:
        # Another request created it first (the one-open-cart-per-owner constraint).
        return carts.get()
    _forget([cart.pk], ((user_id, session_key),))
    return cart


@transaction.atomic
def cart_add(*, cart_id: int, sku: str, quantity: int = 1) -> CartLine:
    """Add `quantity` of a SKU (adding to its line if there is one) and return the line.

    Raises CartError for a quantity outside 1..99 (in total), an unknown or no longer sold SKU, more
    than is available (naming how many are left), or a SKU never seen while the catalog is down;
    CartClosed for a checked-out cart.
    """
    _check_quantity(quantity)
    sku = sku.strip()
    cart = _open_cart_locked(cart_id)
    line = CartLine.objects.filter(cart=cart, sku=sku).first()
    in_cart = line.quantity if line else 0
    if in_cart + quantity > MAX_LINE_QUANTITY:
        raise CartError(
            f"You can have at most {MAX_LINE_QUANTITY} of one item in your cart; you already have {in_cart}."
        )
    snapshot = _snapshot(sku, line)
    _check_stock(sku, in_cart + quantity, snapshot.label, in_cart)
    if line is None:
        line = CartLine.objects.create(
            cart=cart,
            sku=sku,
            quantity=quantity,
            price_when_added=snapshot.price,
            currency=snapshot.currency,
            product_name=snapshot.product_name,
            variant_name=snapshot.variant_name,
            product_slug=snapshot.product_slug,
            image_url=snapshot.image_url,
        )
    else:
        line.quantity = in_cart + quantity
        line.save(update_fields=["quantity", "updated_at"])
    _touch(cart.pk)
    return line


@transaction.atomic
def cart_set_quantity(*, cart_id: int, sku: str, quantity: int) -> CartLine:
    """Set a line's quantity (1..99). Raising it checks availability; lowering it always works.

    Raises CartError (quantity, stock), LineNotFound, CartClosed.
    """
    _check_quantity(quantity)
    cart = _open_cart_locked(cart_id)
    line = CartLine.objects.filter(cart=cart, sku=sku).first()
    if line is None:
        raise LineNotFound(f"Your cart has no item with the code {sku!r}.")
    if quantity > line.quantity:
        _check_stock(sku, quantity, _label(line))
    if quantity != line.quantity:
        line.quantity = quantity
        line.save(update_fields=["quantity", "updated_at"])
        _touch(cart.pk)
    return line


@transaction.atomic
def cart_remove_line(*, cart_id: int, sku: str) -> None:
    """Remove a SKU's line. Raises LineNotFound, CartClosed."""
    cart = _open_cart_locked(cart_id)
    deleted, _ = CartLine.objects.filter(cart=cart, sku=sku).delete()
    if not deleted:
        raise LineNotFound(f"Your cart has no item with the code {sku!r}.")
    _touch(cart.pk)


@transaction.atomic
def cart_clear(*, cart_id: int) -> int:
    """Remove every line; returns how many were removed. Raises CartClosed."""
    cart = _open_cart_locked(cart_id)
    deleted, _ = CartLine.objects.filter(cart=cart).delete()
    _touch(cart.pk)
    return deleted


@transaction.atomic
def cart_merge(*, session_key: str, user_id: int) -> MergeResult | None:
    """Merge the session's open cart into the user's open cart (or hand it over if there is none).

    Quantities of a SKU in both add up, capped by what is available (never below what the user's
    cart already held) and by 99. The session cart is then closed as abandoned. Returns None when
    the session had no cart with lines.
    """
    anonymous = (
        Cart.objects.select_for_update()
        .filter(status=Cart.Status.OPEN, user__isnull=True, session_key=session_key)
        .first()
    )
    if anonymous is None:
        return None
    incoming = list(anonymous.lines.all())
    owners = ((None, session_key), (user_id, None))
    if not incoming:
        anonymous.status = Cart.Status.ABANDONED
        anonymous.save(update_fields=["status", "updated_at"])
        _forget([anonymous.pk], owners)
        return None
    items = sum(line.quantity for line in incoming)
    target = Cart.objects.select_for_update().filter(status=Cart.Status.OPEN, user_id=user_id).first()
    if target is None:
        anonymous.user_id, anonymous.session_key = user_id, ""
        anonymous.save(update_fields=["user", "session_key", "updated_at"])
        _forget([anonymous.pk], owners)
        return MergeResult(items_added=items, capped=())
    existing = {line.sku: line for line in target.lines.all()}
    overlap = [line.sku for line in incoming if line.sku in existing]
    levels = availability(overlap) if overlap else {}
    moved, combined, capped = [], [], []
    for line in incoming:
        mine = existing.get(line.sku)
        if mine is None:
            moved.append(line.pk)
            continue
        summed = mine.quantity + line.quantity
        cap = min(MAX_LINE_QUANTITY, max(levels[line.sku].available, mine.quantity))
        mine.quantity = min(summed, cap)
        if mine.quantity < summed:
            capped.append(f"{_label(mine)}: only {levels[line.sku].available} left")
        combined.append(mine)
    CartLine.objects.filter(pk__in=moved).update(cart=target, updated_at=timezone.now())
    CartLine.objects.bulk_update(combined, ["quantity"])
    CartLine.objects.filter(cart=anonymous).delete()
    anonymous.status = Cart.Status.ABANDONED
    anonymous.save(update_fields=["status", "updated_at"])
    Cart.objects.filter(pk=target.pk).update(updated_at=timezone.now())
    _forget([anonymous.pk, target.pk], owners)
    return MergeResult(items_added=items, capped=tuple(capped))


@transaction.atomic
def cart_mark_checked_out(*, cart_id: int, order_number: str) -> None:
    """Close the cart as checked out under an order number and publish cart.checked_out.v1.

    Repeating it changes nothing. Raises CartNotFound, or CartClosed for an abandoned cart.
    """
    cart = Cart.objects.select_for_update().filter(pk=cart_id).first()
    if cart is None:
        raise selectors.CartNotFound(f"no cart with the id {cart_id}")
    if cart.status == Cart.Status.CHECKED_OUT:
        return
    if cart.status != Cart.Status.OPEN:
        raise CartClosed(f"Cart {cart_id} was abandoned and cannot be checked out.")
    cart.status = Cart.Status.CHECKED_OUT
    cart.order_number = order_number
    cart.checked_out_at = timezone.now()
    cart.save(update_fields=["status", "order_number", "checked_out_at", "updated_at"])
    events.publish_checked_out(cart_id=cart.pk, user_id=cart.user_id, order_number=order_number)
    _forget([cart.pk], ((cart.user_id, cart.session_key),))


@transaction.atomic
def cart_reopen(*, cart_id: int) -> None:
    """Open a checked-out cart again (its order failed, e.g. a declined card), so the shopper keeps it.

    Repeating it changes nothing. An empty open cart the owner started meanwhile is abandoned; one
    with lines raises CartError (the owner keeps the newer cart). Raises CartNotFound, or CartClosed
    for an abandoned cart.
    """
    cart = Cart.objects.select_for_update().filter(pk=cart_id).first()
    if cart is None:
        raise selectors.CartNotFound(f"no cart with the id {cart_id}")
    if cart.status == Cart.Status.OPEN:
        return
    if cart.status != Cart.Status.CHECKED_OUT:
        raise CartClosed(f"Cart {cart_id} was abandoned and cannot be opened again.")
    newer = Cart.objects.select_for_update().filter(status=Cart.Status.OPEN)
    if cart.user_id is not None:
        newer = newer.filter(user_id=cart.user_id)
    else:
        newer = newer.filter(user__isnull=True, session_key=cart.session_key)
    newer = newer.first()
    if newer is not None:
        if newer.lines.exists():
            raise CartError("You have started a new cart since; the earlier one stays closed.")
        newer.status = Cart.Status.ABANDONED
        newer.save(update_fields=["status", "updated_at"])
    cart.status, cart.order_number, cart.checked_out_at = Cart.Status.OPEN, "", None
    cart.save(update_fields=["status", "order_number", "checked_out_at", "updated_at"])
    _forget([cart.pk] + ([newer.pk] if newer else []), ((cart.user_id, cart.session_key),))
