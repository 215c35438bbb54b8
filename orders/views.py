"""Storefront pages of orders: checkout (details, then review and pay), order history and guest lookup.

Everything works without JavaScript: server-rendered forms with CSRF. The review form carries a
one-time token (the idempotency key), the cart's id and the total the shopper saw, so a double click
or a browser retry of the same form answers with the same order.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cart import interface as cart_interface
from orders import selectors, services
from orders.addresses import address_clean
from orders.forms import CheckoutDetailsForm, GuestLookupForm, PaymentForm
from orders.models import Order
from orders.payments import DECLINED_CARD, GATEWAY_ERROR_CARD, DummyGateway, get_gateway

SESSION_CHECKOUT = "orders.checkout"
SESSION_ORDERS_SEEN = "orders.seen"


def _owner(request) -> tuple[int | None, str | None]:
    if request.user.is_authenticated:
        return request.user.pk, None
    if not request.session.session_key:
        request.session.save()
    return None, request.session.session_key


def _checkout_cart(request) -> cart_interface.CartInfo | None:
    """The open cart, or after a failed payment the cart that order came from (the shopper tries again)."""
    user_id, session_key = _owner(request)
    cart = cart_interface.open_cart(user_id=user_id, session_key=session_key)
    if cart is not None and cart.lines:
        return cart
    retry_id = request.session.get(SESSION_CHECKOUT, {}).get("retry_cart_id")
    if retry_id is not None:
        try:
            retry = cart_interface.cart_by_id(retry_id)
        except cart_interface.CartNotFound:
            return None
        if retry.status == "checked_out" and (retry.user_id, retry.session_key) == (user_id, session_key):
            return retry
    return None


def _remember_order(request, number: str) -> None:
    seen = request.session.get(SESSION_ORDERS_SEEN, [])
    if number not in seen:
        request.session[SESSION_ORDERS_SEEN] = [*seen[-19:], number]


@require_http_methods(["GET", "POST"])
def checkout_details(request):
    """Step 1: e-mail (guests), shipping address and shipping option."""
    cart = _checkout_cart(request)
    if cart is None:
        messages.info(request, "Your cart is empty: add something before checking out.")
        return redirect("/cart/")
    saved = request.session.get(SESSION_CHECKOUT, {})
    if request.method == "POST":
        form = CheckoutDetailsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            request.session[SESSION_CHECKOUT] = saved | {
                "email": data["email"],
                "address": data["address"].as_dict(),
                "shipping_method": data["shipping_method"],
            }
            return redirect("orders:checkout-review")
    else:
        initial = {"email": request.user.email if request.user.is_authenticated else ""}
        initial |= saved.get("address", {})
        if saved:
            initial |= {"email": saved["email"], "shipping_method": saved["shipping_method"]}
        form = CheckoutDetailsForm(initial=initial)
    return render(request, "orders/checkout_details.html", {"form": form, "cart": cart, "rates": _rates(cart)})


def _rates(cart: cart_interface.CartInfo) -> dict:
    return {
        "standard": services.shipping_cost(method="standard", subtotal=cart.subtotal),
        "express": services.shipping_cost(method="express", subtotal=cart.subtotal),
        "free_from": settings.FREE_SHIPPING_THRESHOLD,
    }


@require_http_methods(["GET", "POST"])
def checkout_review(request):
    """Step 2: review the order and pay. POST places the order (idempotently) and charges the card."""
    details = request.session.get(SESSION_CHECKOUT, {})
    if "address" not in details:
        return redirect("orders:checkout")
    if request.method == "POST":
        form = PaymentForm(request.POST)
        if form.is_valid():
            return _place(request, form, details)
        cart = _checkout_cart(request)
        if cart is None:
            return redirect("/cart/")
        return _review(request, cart, details, form=form)
    cart = _checkout_cart(request)
    if cart is None:
        messages.info(request, "Your cart is empty: add something before checking out.")
        return redirect("/cart/")
    return _review(request, cart, details)


def _place(request, form: PaymentForm, details: dict):
    user_id, session_key = _owner(request)
    data = form.cleaned_data
    try:
        placement = services.order_place(
            cart_id=data["cart_id"],
            idempotency_key=f"form:{data['token']}",
            email=details["email"],
            address=address_clean(details["address"]),
            shipping_method=details["shipping_method"],
            card=form.card(),
            user_id=user_id,
            session_key=session_key,
            expected_total=data["expected_total"],
        )
    except services.IdempotencyConflict:
        problem = "Your cart changed while you were checking out. Please check the order below and pay again."
    except services.PriceChanged as exc:
        cart = _checkout_cart(request)
        if cart is not None:
            return _review(request, cart, details, problem=str(exc), totals=exc.totals)
        problem = str(exc)
    except services.CheckoutError as exc:
        problem = str(exc)
    else:
        order = placement.order
        _remember_order(request, order.number)
        if placement.payment_failed:
            request.session[SESSION_CHECKOUT] = details | {"retry_cart_id": order.cart_id}
            problem = f"{order.payment_failure} Order {order.number} was cancelled; you can pay with another card."
        else:
            # The details stay (a repeated submit of this form needs them; the next checkout is prefilled).
            request.session[SESSION_CHECKOUT] = {k: v for k, v in details.items() if k != "retry_cart_id"}
            messages.success(request, f"Thank you! Order {order.number} is confirmed.")
            return redirect("orders:detail", number=order.number)
    cart = _checkout_cart(request)
    if cart is None:
        messages.error(request, problem)
        return redirect("/cart/")
    return _review(request, cart, details, problem=problem)


def _review(
    request,
    cart: cart_interface.CartInfo,
    details: dict,
    *,
    form: PaymentForm | None = None,
    problem: str = "",
    totals: services.Totals | None = None,
):
    totals = totals or services.totals_for(
        subtotal=cart.subtotal, shipping_method=details["shipping_method"], currency=cart.currency
    )
    fresh = {"token": uuid.uuid4().hex, "cart_id": cart.id, "expected_total": totals.total}
    # A card typo keeps the bound form (and its token: still the same attempt); anything else starts afresh.
    if form is None or problem:
        form = PaymentForm(initial=fresh)
    context = {
        "cart": cart,
        "details": details,
        "address": address_clean(details["address"]),
        "totals": totals,
        "shipping_label": Order.Shipping(details["shipping_method"]).label,
        "form": form,
        "problem": problem,
        # With the dummy gateway (development, demos) the page lists its test cards.
        "test_cards": (
            {"approved": "4242424242424242", "declined": DECLINED_CARD, "gateway error": GATEWAY_ERROR_CARD}
            if get_gateway().name == DummyGateway.name
            else None
        ),
    }
    return render(request, "orders/checkout_review.html", context, status=409 if problem else 200)


@login_required
def order_list(request):
    """The signed-in shopper's orders, newest first, paginated."""
    page = Paginator(selectors.orders_of_user(user_id=request.user.pk), settings.ORDERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "orders/order_list.html", {"page": page})


def order_detail(request, number: str):
    """One order: lines, totals, address and timeline. Someone else's order is a 404."""
    order = None
    if request.user.is_authenticated:
        order = selectors.order_of_user(number=number, user_id=request.user.pk)
    if order is None and number in request.session.get(SESSION_ORDERS_SEEN, []):
        order = selectors.order_detail(number=number)
        if order is not None and order.user_id is not None and order.user_id != request.user.pk:
            order = None
    if order is None:
        raise Http404("No such order.")
    return render(request, "orders/order_detail.html", {"order": order})


@require_http_methods(["GET", "POST"])
def order_lookup(request):
    """Guests find an order by its number and the e-mail it was placed with."""
    form = GuestLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        order = selectors.order_for_guest(number=form.cleaned_data["number"], email=form.cleaned_data["email"])
        if order is not None and order.user_id is None:
            _remember_order(request, order.number)
            return redirect("orders:detail", number=order.number)
        form.add_error(None, "We found no guest order with that number and e-mail.")
    return render(request, "orders/order_lookup.html", {"form": form})
