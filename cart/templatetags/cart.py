"""`{% load cart %}`: the header's cart count and the add-to-cart form other contexts' pages show."""

from django import template

from cart import selectors
from cart.models import MAX_LINE_QUANTITY
from cart.shoppers import cart_id_of

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count(context) -> int:
    """How many items the shopper's cart holds: from the cache, so no query on most pages."""
    request = context.get("request")
    if request is None:
        return 0
    cart_id = cart_id_of(request)
    return 0 if cart_id is None else selectors.cart_item_count(cart_id)


@register.inclusion_tag("cart/add_to_cart_form.html", takes_context=True)
def add_to_cart_form(context, sku: str, quantity: int = 1, label: str = "Add to cart") -> dict:
    """A POST form to /cart/add/ (sku, quantity, next, CSRF token) that works without JavaScript and
    brings the shopper back to this page with a message."""
    request = context.get("request")
    return {
        "sku": sku,
        "quantity": quantity,
        "max_quantity": MAX_LINE_QUANTITY,
        "label": label,
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
