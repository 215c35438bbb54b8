"""Orders API: a shopper's own orders, checkout of the current cart with an Idempotency-Key, and staff
transitions. Views validate and orchestrate; the services do the work (the same ones the pages and
the admin call).

Status codes: 201 a new order (paid), 200 a repeated request answered with the order it made, 402 the
payment failed (the order is cancelled; the body says why), 409 the cart cannot become an order as it
stands (stock, prices, cart state) or an illegal transition, 422 an Idempotency-Key reused for
another cart, 400 invalid input.
"""

import re

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cart import interface as cart_interface
from orders import selectors, services
from orders.api import serializers as s

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="A new random key per checkout; repeating a request with it returns the same order.",
)
PROBLEM = OpenApiResponse(s.ProblemOut)
INVALID = OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: the errors by field, or {detail, code}.")
KEY = re.compile(r"[\x21-\x7e]{1,200}")


def _problem(message: str, code: str, http_status: int) -> Response:
    return Response({"detail": message, "code": code}, status=http_status)


def _checkout_refused(exc: services.CheckoutError) -> Response:
    codes = {
        services.EmptyCart: ("empty_cart", status.HTTP_400_BAD_REQUEST),
        services.OutOfStock: ("out_of_stock", status.HTTP_409_CONFLICT),
        services.PriceChanged: ("price_changed", status.HTTP_409_CONFLICT),
        services.ItemsNotSold: ("not_sold", status.HTTP_409_CONFLICT),
        services.CartNotAvailable: ("cart_not_available", status.HTTP_409_CONFLICT),
        services.PricesUnconfirmed: ("prices_unconfirmed", status.HTTP_503_SERVICE_UNAVAILABLE),
    }
    code, http_status = codes.get(type(exc), ("checkout_refused", status.HTTP_400_BAD_REQUEST))
    response = _problem(str(exc), code, http_status)
    if isinstance(exc, services.PriceChanged):
        response.data["new_total"] = str(exc.totals.total)
    if isinstance(exc, services.OutOfStock):
        response.data["items"] = [
            {"sku": item.sku, "name": item.name, "requested": item.requested, "available": item.available}
            for item in exc.items
        ]
    return response


class OrderListCreateView(ListAPIView):
    """The caller's orders, newest first; POST checks out the caller's cart (a guest's: the session's)."""

    serializer_class = s.OrderOut

    def get_permissions(self):
        # Guests check out their session's cart (with an e-mail); only signed-in shoppers have a list.
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_queryset(self):
        return selectors.orders_for_api(user_id=self.request.user.pk)

    @extend_schema(
        request=s.OrderCreateIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: s.OrderOut,
            200: OpenApiResponse(s.OrderOut, description="A repeated request: the order it made before."),
            400: INVALID,
            402: OpenApiResponse(s.OrderOut, description="Payment failed; the order is cancelled."),
            409: PROBLEM,
            422: PROBLEM,
        },
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not KEY.fullmatch(key):
            return _problem(
                "Send an Idempotency-Key header of 1 to 200 printable characters.", "idempotency_key_missing", 400
            )
        data = s.OrderCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        user_id = request.user.pk if request.user.is_authenticated else None
        session_key = None if user_id is not None else request.session.session_key
        if user_id is None and not session_key:
            return _problem("Your cart is empty.", "empty_cart", status.HTTP_400_BAD_REQUEST)
        email = fields.get("email") or (request.user.email if user_id is not None else "")
        if not email:
            return _problem("A guest checkout needs an e-mail.", "email_missing", status.HTTP_400_BAD_REQUEST)
        # Keys are scoped to their owner, so one shopper's key can never reach another's order.
        key = f"api:{user_id}:{key}" if user_id is not None else f"api:s:{session_key}:{key}"
        cart = cart_interface.open_cart(user_id=user_id, session_key=session_key)
        cart_id = fields.get("cart_id") or (cart.id if cart is not None and cart.lines else None)
        if cart_id is None:
            replayed = selectors.order_by_checkout_key(key=key)
            if replayed is not None:
                if replayed.status == "placed":
                    # The first request is still paying (wait for it) or died before paying (finish it).
                    services.order_pay(order_id=replayed.pk, card=fields["card"])
                    replayed = selectors.order_detail(number=replayed.number)
                return self._answer(replayed, created=False)
            return _problem("Your cart is empty.", "empty_cart", status.HTTP_400_BAD_REQUEST)
        try:
            placement = services.order_place(
                cart_id=cart_id,
                idempotency_key=key,
                email=email,
                address=fields["shipping_address"],
                shipping_method=fields["shipping_method"],
                card=fields["card"],
                user_id=user_id,
                session_key=session_key,
                expected_total=fields.get("expected_total"),
            )
        except services.IdempotencyConflict as exc:
            return _problem(str(exc), "idempotency_key_reused", status.HTTP_422_UNPROCESSABLE_ENTITY)
        except services.CheckoutError as exc:
            return _checkout_refused(exc)
        order = selectors.order_detail(number=placement.order.number)
        return self._answer(order, created=placement.created)

    @staticmethod
    def _answer(order, *, created: bool) -> Response:
        if order.status == "cancelled" and order.payment_failure:
            http_status = status.HTTP_402_PAYMENT_REQUIRED
        else:
            http_status = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.OrderOut(order).data, status=http_status)


class OrderDetailView(APIView):
    """One of the caller's orders (staff: any order). Another shopper's order is a 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.OrderOut, 404: PROBLEM})
    def get(self, request, number: str):
        if request.user.is_staff:
            order = selectors.order_detail(number=number)
        else:
            order = selectors.order_of_user(number=number, user_id=request.user.pk)
        if order is None:
            raise Http404("No such order.")
        return Response(s.OrderOut(order).data)


class OrderTransitionView(APIView):
    """Staff move an order along its lifecycle through the services; an illegal move is a 409."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=s.TransitionIn, responses={200: s.OrderOut, 400: INVALID, 404: PROBLEM, 409: PROBLEM})
    def post(self, request, number: str):
        data = s.TransitionIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if selectors.order_detail(number=number) is None:
            raise Http404("No such order.")
        by = request.user.pk
        actions = {
            "fulfilled": lambda: services.order_mark_fulfilled(number=number, by_user_id=by),
            "shipped": lambda: services.order_mark_shipped(
                number=number, tracking_number=fields["tracking_number"], by_user_id=by
            ),
            "delivered": lambda: services.order_mark_delivered(number=number, by_user_id=by),
            "cancelled": lambda: services.order_cancel(number=number, by_user_id=by, reason=fields["reason"]),
            "refunded": lambda: services.order_refund(number=number, by_user_id=by, reason=fields["reason"]),
        }
        try:
            actions[fields["to"]]()
        except services.IllegalTransition as exc:
            return _problem(str(exc), "illegal_transition", status.HTTP_409_CONFLICT)
        except services.RefundFailed as exc:
            return _problem(str(exc), "refund_failed", status.HTTP_503_SERVICE_UNAVAILABLE)
        except services.OrderError as exc:
            return _problem(str(exc), "invalid", status.HTTP_400_BAD_REQUEST)
        return Response(s.OrderOut(selectors.order_detail(number=number)).data)
