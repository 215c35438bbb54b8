"""Who the cart of a request belongs to: the signed-in user, or else the session.

An anonymous cart is keyed by the session key. That key is also kept inside the session under
CART_SESSION_KEY, because signing in gives the session a new key (data is kept, the key is not) and
the merge on login must still find the anonymous cart.

The cart page first reads the cart this session last changed (its id is kept in the session, which
the page has loaded anyway) and uses it when it is still open and still this shopper's; else it
asks which cart is open for the shopper, as every other reader does. Every change made through the
session also replaces a marker in it, so the page may use this process's recent copy of the cart
(see selectors.cart_page_and_rendered) without missing the shopper's own changes.
"""

import uuid
from dataclasses import dataclass

from cart import selectors, services
from cart.models import Cart

CART_SESSION_KEY = "cart.session_key"
CART_ID_SESSION_KEY = "cart.id"  # the cart last changed in this session: where the cart page looks first
CART_MARKER_SESSION_KEY = "cart.marker"  # replaced by every change made through this session


@dataclass(frozen=True)
class Shopper:
    user_id: int | None
    session_key: str | None


def shopper_of(request) -> Shopper:
    """The owner of the request's cart (works for Django and DRF requests)."""
    user = request.user
    if user.is_authenticated:
        return Shopper(user_id=user.pk, session_key=None)
    return Shopper(user_id=None, session_key=request.session.session_key)


def cart_id_of(request) -> int | None:
    """The id of the request's open cart, or None; from the cache when it is there."""
    shopper = shopper_of(request)
    return selectors.open_cart_id(user_id=shopper.user_id, session_key=shopper.session_key)


def open_cart_page(request) -> selectors.CartPage | None:
    """The read model of the request's open cart, or None.

    A cached "this owner's cart" answer that points to a cart closed meanwhile (a read that raced
    the checkout) is dropped, and the shopper has no open cart.
    """
    return open_cart_page_and_rendered(request)[0]


def open_cart_page_and_rendered(request, *, recent_copy: bool = False,
                                ) -> tuple[selectors.CartPage | None, object | None]:
    """Like open_cart_page, with what was kept for that read model (see selectors.keep_rendered).

    `recent_copy`: the cart this session changed last may come from this process's recent copy.
    """
    shopper = shopper_of(request)
    remembered = request.session.get(CART_ID_SESSION_KEY)
    if remembered is not None:
        marker = request.session.get(CART_MARKER_SESSION_KEY, "") if recent_copy else None
        try:
            page, rendered = selectors.cart_page_and_rendered(remembered, marker=marker)
        except selectors.CartNotFound:
            page = None
        if page is not None and page.info.status == Cart.Status.OPEN and _owns(shopper, page.info):
            return page, rendered
    cart_id = selectors.open_cart_id(user_id=shopper.user_id, session_key=shopper.session_key)
    if cart_id is None:
        return None, None
    page, rendered = selectors.cart_page_and_rendered(cart_id)
    if page.info.status != Cart.Status.OPEN:
        selectors.forget_owner(user_id=shopper.user_id, session_key=shopper.session_key)
        return None, None
    return page, rendered


def _owns(shopper: Shopper, cart: selectors.CartInfo) -> bool:
    if shopper.user_id is not None:
        return cart.user_id == shopper.user_id
    return cart.user_id is None and cart.session_key == shopper.session_key


def cart_id_to_change(request) -> int | None:
    """The id of the request's open cart (None without one), about to be changed by this request."""
    cart_id = cart_id_of(request)
    if cart_id is not None:
        _note_change(request, cart_id)
    return cart_id


def _note_change(request, cart_id: int) -> None:
    """Remember the cart and replace the marker, in a session the request already has (a client
    signed in by other means, HTTP Basic say, gets no session for it)."""
    session = request.session
    if not session.session_key:
        return
    if session.get(CART_ID_SESSION_KEY) != cart_id:
        session[CART_ID_SESSION_KEY] = cart_id
    session[CART_MARKER_SESSION_KEY] = uuid.uuid4().hex[:12]


def cart_id_for_change(request) -> int:
    """The id of the request's open cart, creating it (and the session key if needed) when missing.

    Resolved against the database, not the cache: a write follows, and it must not go to a cart that
    a stale cache entry still names.
    """
    shopper = shopper_of(request)
    if shopper.user_id is None:
        if not request.session.session_key:
            request.session.save()
        shopper = Shopper(user_id=None, session_key=request.session.session_key)
        if request.session.get(CART_SESSION_KEY) != shopper.session_key:
            request.session[CART_SESSION_KEY] = shopper.session_key
    cached = selectors.open_cart_id(user_id=shopper.user_id, session_key=shopper.session_key)
    cart_id = services.cart_get_or_create(user_id=shopper.user_id, session_key=shopper.session_key).pk
    if cached != cart_id:
        selectors.remember_owner(user_id=shopper.user_id, session_key=shopper.session_key, cart_id=cart_id)
    _note_change(request, cart_id)
    return cart_id
