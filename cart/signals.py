"""The merge of the session's cart into the user's cart when a shopper signs in or signs up."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from cart import services
from cart.shoppers import CART_ID_SESSION_KEY, CART_SESSION_KEY


@receiver(user_logged_in, dispatch_uid="cart_merge_on_login")
def cart_merge_on_login(sender, request, user, **kwargs) -> None:
    """Bring the anonymous cart of this session into the user's cart and tell the shopper."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(CART_ID_SESSION_KEY, None)  # the user's cart is found through the user from now on
    session_key = session.pop(CART_SESSION_KEY, None)
    if not session_key:
        return
    result = services.cart_merge(session_key=session_key, user_id=user.pk)
    if result is None:
        return
    items = f"{result.items_added} item" + ("s" if result.items_added != 1 else "")
    text = f"We added the {items} you picked before signing in to your cart."
    if result.capped:
        text += " Fewer than you picked of " + "; ".join(result.capped) + "."
    messages.info(request, text, fail_silently=True)
