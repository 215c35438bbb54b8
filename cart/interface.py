"""The public face of the cart context: the only module other contexts may import.

It exposes plain functions and frozen dataclasses (stdlib types only), never models or querysets.
Reads come from the cart's cached read model. When the catalog could not answer, a cart is built
from the snapshots kept on its lines and says so with `prices_confirmed=False`: checkout must not
proceed on such a cart.
"""

from cart import selectors, services
from cart.selectors import CartInfo, CartLineInfo, CartNotFound
from cart.services import CartClosed, CartError

__all__ = [
    "CartClosed",
    "CartError",
    "CartInfo",
    "CartLineInfo",
    "CartNotFound",
    "cart_by_id",
    "mark_checked_out",
    "open_cart",
    "reopen",
]


def open_cart(*, user_id: int | None, session_key: str | None) -> CartInfo | None:
    """The owner's open cart (a signed-in user by user id, else the session's), or None.

    Lines carry current catalog prices and availability, or the snapshot when prices_confirmed is False.
    """
    cart_id = selectors.open_cart_id(user_id=user_id, session_key=session_key)
    if cart_id is None:
        return None
    return selectors.cart_page(cart_id).info


def cart_by_id(cart_id: int) -> CartInfo:
    """The cart with this id, whatever its status. Raises CartNotFound."""
    return selectors.cart_page(cart_id).info


def mark_checked_out(cart_id: int, *, order_number: str) -> None:
    """Close the cart as checked out under the order number and publish cart.checked_out.v1.

    Idempotent: a second call changes nothing. Raises CartNotFound, or CartClosed for an abandoned cart.
    """
    services.cart_mark_checked_out(cart_id=cart_id, order_number=order_number)


def reopen(cart_id: int) -> None:
    """Open a checked-out cart again after its order failed (a declined card), so the shopper keeps
    its lines on /cart/ and at checkout. Idempotent. An empty cart the owner started meanwhile is
    abandoned; raises CartError if that newer cart has lines, CartNotFound, or CartClosed.
    """
    services.cart_reopen(cart_id=cart_id)
