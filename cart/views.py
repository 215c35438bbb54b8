"""The cart's storefront pages (thin: forms validate, services decide, selectors read).

Every change is a POST with CSRF that redirects back with a message, so the cart works without
JavaScript. Lines are addressed by SKU inside the requesting shopper's own cart: another shopper's
cart cannot be named, and a SKU that is not in your cart is a 404.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cart import selectors, services
from cart.forms import AddToCartForm, QuantityForm, first_error
from cart.shoppers import cart_id_for_change, cart_id_to_change, open_cart_page_and_rendered
from ecommerce import page_cache


def _back(request: HttpRequest, next_url: str = "") -> HttpResponse:
    """Redirect to `next` (or the referring page) when it is on this site, else to the cart."""
    for candidate in (next_url, request.META.get("HTTP_REFERER", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(candidate)
    return redirect("cart:detail")


@require_GET
def cart_detail(request: HttpRequest) -> HttpResponse:
    """The shopper's cart: lines with current prices and availability, totals, continue to checkout.

    The page is rendered once per state of the cart and viewer (with a CSRF placeholder) and kept
    with the cart's read model. A page with messages to show, or with parameters, is rendered afresh.
    """
    page, kept = open_cart_page_and_rendered(request, recent_copy=True)
    context = {"page": page, "cart": page.info if page else None}
    reusable = page is not None and not request.GET and not len(messages.get_messages(request))
    viewer = _viewer(request)
    if reusable and kept is not None and kept[0] == viewer:
        html = kept[1]
    else:
        response = render(request, "cart/cart_detail.html", {**context, "csrf_token": page_cache.CSRF_PLACEHOLDER})
        html = response.content.decode()
        if reusable:
            selectors.keep_rendered(page, (viewer, html))
    return HttpResponse(page_cache.with_csrf_token(request, html))


def _viewer(request: HttpRequest) -> tuple | None:
    """What the page shows of who is asking (the account menu)."""
    user = request.user
    return (user.pk, user.get_username(), user.is_staff) if user.is_authenticated else None


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add a SKU from a product or listing page, then go back there with a message."""
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _back(request, request.POST.get("next", ""))
    quantity = form.cleaned_data["quantity"] or 1
    try:
        line = services.cart_add(cart_id=cart_id_for_change(request), sku=form.cleaned_data["sku"], quantity=quantity)
    except services.CartError as exc:
        messages.error(request, str(exc))
    else:
        label = f"{line.product_name} ({line.variant_name})" if line.variant_name else line.product_name
        messages.success(request, f"Added {quantity} x {label} to your cart.")
    return _back(request, form.cleaned_data["next"])


def _own_cart_id(request: HttpRequest) -> int:
    cart_id = cart_id_to_change(request)
    if cart_id is None:
        raise Http404("You have no cart yet.")
    return cart_id


@require_POST
def cart_line_update(request: HttpRequest, sku: str) -> HttpResponse:
    """Change the quantity of a line of the shopper's cart."""
    cart_id = _own_cart_id(request)
    form = QuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("cart:detail")
    try:
        services.cart_set_quantity(cart_id=cart_id, sku=sku, quantity=form.cleaned_data["quantity"])
    except services.LineNotFound as exc:
        raise Http404(str(exc)) from exc
    except services.CartError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your cart is updated.")
    return redirect("cart:detail")


@require_POST
def cart_line_remove(request: HttpRequest, sku: str) -> HttpResponse:
    """Remove a line from the shopper's cart."""
    cart_id = _own_cart_id(request)
    try:
        services.cart_remove_line(cart_id=cart_id, sku=sku)
    except services.LineNotFound as exc:
        raise Http404(str(exc)) from exc
    except services.CartError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The item was removed from your cart.")
    return redirect(reverse("cart:detail"))


@require_POST
def cart_clear(request: HttpRequest) -> HttpResponse:
    """Empty the shopper's cart."""
    cart_id = _own_cart_id(request)
    try:
        services.cart_clear(cart_id=cart_id)
    except services.CartError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your cart is empty now.")
    return redirect("cart:detail")
