"""Reads of the cart: the cached read model a page, the API and other contexts see.

The read model (lines with current product data and availability, totals) is built from the
cart's lines, one batched catalog lookup and one availability query, then kept in Django's cache
(Redis in production) until a cart change, a price change or a stock change forgets it. When the
catalog cannot answer, the model is built from the line snapshots with prices_confirmed False and
is not cached, so the next request tries again.
"""

import dataclasses
import hashlib
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum

from cart.models import Cart, CartLine
from cart.products import current_variants
from ecommerce import page_cache
from inventory.interface import StockLevel, availability

# Stored for an owner without an open cart, so that "no cart" is cached too (for NO_CART_SECONDS).
NO_CART = 0
NO_CART_SECONDS = 60


class CartNotFound(Exception):
    """No cart with this id, or none that the shopper asking may see."""


@dataclass(frozen=True)
class CartLineInfo:
    sku: str
    quantity: int
    unit_price: Decimal  # current catalog price (the snapshot price when prices_confirmed is False)
    price_when_added: Decimal
    currency: str
    product_name: str
    variant_name: str
    product_slug: str
    image_url: str
    line_total: Decimal
    price_changed: bool
    available: int | None  # from inventory.availability; None when unknown


@dataclass(frozen=True)
class CartInfo:
    id: int
    user_id: int | None
    session_key: str | None
    status: str  # "open" | "checked_out" | "abandoned"
    lines: tuple[CartLineInfo, ...]
    subtotal: Decimal
    item_count: int
    currency: str
    prices_confirmed: bool  # False when the catalog could not answer (built from the snapshots)
    version: str  # changes whenever the lines change (hash of the (sku, quantity) pairs)


@dataclass(frozen=True)
class CartPage:
    """The read model plus what only the cart's own pages need (stock badges, SKUs no longer sold)."""

    info: CartInfo
    stock: dict[str, StockLevel]
    not_sold: frozenset[str]
    generation: str = ""  # the cache generation it is kept under; "" when it is not kept

    def rows(self) -> list[tuple[CartLineInfo, StockLevel | None, bool]]:
        """(line, stock level, still sold) per line, in the order the lines were added."""
        return [(line, self.stock.get(line.sku), line.sku not in self.not_sold) for line in self.info.lines]


def _generation_key(cart_id: int) -> str:
    return f"cart:generation:{cart_id}"


def _current(cart_id: int, *keys: str) -> tuple[str, list]:
    """(the cart's current cache generation, per key the value cached there if stored under it, else None).

    One round trip: entries are stored as (generation, value) and read together with the generation.
    They are stored under the generation a reader saw BEFORE reading the database, and forgetting a
    cart drops its generation. So a reader that raced a write stores its stale entry under a
    generation nobody asks for any more, instead of over the fresh one.
    """
    generation_key = _generation_key(cart_id)
    found = cache.get_many([generation_key, *keys])
    generation = found.get(generation_key)
    if generation is None:
        fresh = uuid.uuid4().hex[:12]
        generation = fresh if cache.add(generation_key, fresh, settings.CART_CACHE_SECONDS) else (
            cache.get(generation_key) or fresh)
    entries = (found.get(key) for key in keys)
    return generation, [entry[1] if entry is not None and entry[0] == generation else None for entry in entries]


def _view_key(cart_id: int) -> str:
    return f"cart:view:{cart_id}"


def _count_key(cart_id: int) -> str:
    return f"cart:count:{cart_id}"


def _rendered_key(cart_id: int) -> str:
    return f"cart:rendered:{cart_id}"


def _owner_key(*, user_id: int | None, session_key: str | None) -> str:
    return f"cart:owner:user:{user_id}" if user_id is not None else f"cart:owner:session:{session_key}"


def forget_carts(cart_ids: Iterable[int]) -> None:
    """Drop the cached read model and item count of these carts (by dropping their generation)."""
    ids = set(cart_ids)
    if ids:
        cache.delete_many([_generation_key(cart_id) for cart_id in ids])
    for cart_id in ids:
        _LOCAL_CARTS.drop(str(cart_id))


def forget_owner(*, user_id: int | None, session_key: str | None) -> None:
    """Drop the cached "which cart is open for this owner" answer."""
    if user_id is not None or session_key:
        cache.delete(_owner_key(user_id=user_id, session_key=session_key))


def remember_owner(*, user_id: int | None, session_key: str | None, cart_id: int) -> None:
    """Cache `cart_id` as the owner's open cart (just read from the database by a change)."""
    cache.set(_owner_key(user_id=user_id, session_key=session_key), cart_id, settings.CART_CACHE_SECONDS)


def open_cart_id(*, user_id: int | None, session_key: str | None) -> int | None:
    """The id of the owner's open cart, or None; a signed-in user is looked up by user id only.

    Cached per owner (one query on a miss, none on a hit).
    """
    if user_id is None and not session_key:
        return None
    key = _owner_key(user_id=user_id, session_key=session_key)
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    carts = Cart.objects.filter(status=Cart.Status.OPEN)
    if user_id is not None:
        carts = carts.filter(user_id=user_id)
    else:
        carts = carts.filter(user__isnull=True, session_key=session_key)
    cart_id = carts.values_list("id", flat=True).first()
    # "No cart" is kept briefly: a cart created while this read ran is seen within a minute at worst.
    cache.set(key, cart_id or NO_CART, settings.CART_CACHE_SECONDS if cart_id else NO_CART_SECONDS)
    return cart_id


def cart_page(cart_id: int) -> CartPage:
    """The cart's read model, from the cache or built in a fixed number of queries. Raises CartNotFound."""
    generation, (cached,) = _current(cart_id, _view_key(cart_id))
    return cached if cached is not None else _build_and_keep(cart_id, generation)


@dataclass(frozen=True)
class _LocalCart:
    page: CartPage
    rendered: object | None
    marker: str
    read_at: float


_LOCAL_CARTS = page_cache.LocalCopies()


def cart_page_and_rendered(cart_id: int, *, marker: str | None = None) -> tuple[CartPage, object | None]:
    """The cart's read model, and what `keep_rendered` kept for it (None when nothing was); one cache
    round trip when both are kept. Raises CartNotFound.

    With a `marker` (a token its owner's session replaces on every change it makes), the copy this
    process read under the same marker is used for PAGE_CACHE_TOKEN_CHECK_SECONDS: the shopper's own
    changes show at once, others' (a price, stock, another device) within that time.
    """
    if marker is not None:
        copy = _LOCAL_CARTS.get(str(cart_id))
        if copy is not None and copy.marker == marker and page_cache.checked_recently(copy.read_at):
            return copy.page, copy.rendered
    generation, (cached, rendered) = _current(cart_id, _view_key(cart_id), _rendered_key(cart_id))
    if cached is not None:
        if marker is not None:
            _keep_local(_LocalCart(cached, rendered, marker, time.monotonic()))
        return cached, rendered
    return _build_and_keep(cart_id, generation), None


def _build_and_keep(cart_id: int, generation: str) -> CartPage:
    """Build the read model from the database and keep it under `generation` (read before building)."""
    cart = Cart.objects.filter(pk=cart_id).first()
    if cart is None:
        raise CartNotFound(f"no cart with the id {cart_id}")
    lines = list(CartLine.objects.filter(cart_id=cart_id).order_by("added_at", "id"))
    page = _build(cart, lines)
    if page.info.prices_confirmed:
        page = dataclasses.replace(page, generation=generation)
        cache.set_many(
            {_view_key(cart_id): (generation, page), _count_key(cart_id): (generation, page.info.item_count)},
            settings.CART_CACHE_SECONDS,
        )
    return page


def keep_rendered(page: CartPage, rendered: object) -> None:
    """Keep what a page rendered from `page` (its HTML, say) until the cart's read model changes;
    nothing is kept for a read model that is not kept itself."""
    if page.generation:
        cache.set(_rendered_key(page.info.id), (page.generation, rendered), settings.CART_CACHE_SECONDS)
        copy = _LOCAL_CARTS.get(str(page.info.id))
        if copy is not None and copy.page.generation == page.generation:
            _keep_local(dataclasses.replace(copy, rendered=rendered))


def _keep_local(copy: _LocalCart) -> None:
    size = 1000 * (1 + len(copy.page.info.lines)) + (0 if copy.rendered is None else 10_000)  # about
    _LOCAL_CARTS.put(str(copy.page.info.id), copy, size)


def cart_item_count(cart_id: int) -> int:
    """How many items the cart holds, for the header: from the cache, one query on a miss."""
    generation, (cached,) = _current(cart_id, _count_key(cart_id))
    if cached is not None:
        return cached
    count = CartLine.objects.filter(cart_id=cart_id).aggregate(total=Sum("quantity"))["total"] or 0
    cache.set(_count_key(cart_id), (generation, count), settings.CART_CACHE_SECONDS)
    return count


def open_carts_holding(skus: Iterable[str]) -> list[int]:
    """Ids of the open carts with a line for any of these SKUs (one query)."""
    wanted = list(dict.fromkeys(skus))
    if not wanted:
        return []
    return list(
        CartLine.objects.filter(sku__in=wanted, cart__status=Cart.Status.OPEN)
        .values_list("cart_id", flat=True)
        .distinct()
    )


def lines_version(pairs: Iterable[tuple[str, int]]) -> str:
    """A short fingerprint of the (sku, quantity) pairs: equal for equal contents."""
    text = "\n".join(f"{sku}:{quantity}" for sku, quantity in sorted(pairs))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _build(cart: Cart, lines: list[CartLine]) -> CartPage:
    skus = [line.sku for line in lines]
    variants = current_variants(skus)
    confirmed = variants is not None
    stock = availability(skus) if skus else {}
    infos = []
    not_sold = set()
    for line in lines:
        variant = variants.get(line.sku) if variants is not None else None
        if confirmed and (variant is None or not variant.is_active):
            not_sold.add(line.sku)
        if variant is not None:
            unit_price, currency = variant.price, variant.currency
            name, variant_name = variant.product_name, variant.name
            slug, image_url = variant.product_slug, variant.image_url
        else:
            unit_price, currency = line.price_when_added, line.currency
            name, variant_name = line.product_name, line.variant_name
            slug, image_url = line.product_slug, line.image_url
        level = stock.get(line.sku)
        infos.append(
            CartLineInfo(
                sku=line.sku,
                quantity=line.quantity,
                unit_price=unit_price,
                price_when_added=line.price_when_added,
                currency=currency,
                product_name=name,
                variant_name=variant_name,
                product_slug=slug,
                image_url=image_url,
                line_total=unit_price * line.quantity,
                price_changed=variant is not None and unit_price != line.price_when_added,
                available=level.available if level is not None else None,
            )
        )
    info = CartInfo(
        id=cart.pk,
        user_id=cart.user_id,
        session_key=cart.session_key or None,
        status=str(cart.status),
        lines=tuple(infos),
        subtotal=sum((line.line_total for line in infos), Decimal("0.00")),
        item_count=sum(line.quantity for line in infos),
        currency=settings.SHOP_CURRENCY,
        prices_confirmed=confirmed,
        version=lines_version((line.sku, line.quantity) for line in infos),
    )
    return CartPage(info=info, stock=stock, not_sold=frozenset(not_sold))
