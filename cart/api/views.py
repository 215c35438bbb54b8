"""The cart API: the requesting shopper's own cart, by session or by an authenticated user.

GET and DELETE /api/v1/cart/, POST /api/v1/cart/lines/, PATCH and DELETE /api/v1/cart/lines/<sku>/.
A refused change or invalid input is a 400 with {"detail": "<message for the shopper>"} (plus "errors"
per field for invalid input); a SKU not in the shopper's
cart is a 404. No endpoint takes a cart id, so no shopper can reach another shopper's cart.
"""

from decimal import Decimal

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from cart import selectors, services
from cart.api.serializers import AddLineInput, CartOutput, ErrorOutput, UpdateLineInput
from cart.shoppers import cart_id_for_change, cart_id_to_change, open_cart_page

TAGS = ["cart"]


def _cart_body(page: selectors.CartPage | None) -> dict:
    if page is None:
        empty = {
            "id": None,
            "status": "open",
            "lines": [],
            "subtotal": Decimal("0.00"),
            "item_count": 0,
            "currency": settings.SHOP_CURRENCY,
            "prices_confirmed": True,
            "version": selectors.lines_version([]),
        }
        return CartOutput(empty).data
    return CartOutput(page.info).data


def _invalid(given: Serializer) -> Response:
    field, messages = next(iter(given.errors.items()))
    return Response({"detail": f"{field}: {messages[0]}", "errors": given.errors}, status=status.HTTP_400_BAD_REQUEST)


def _refused(exc: services.CartError) -> Response:
    code = status.HTTP_404_NOT_FOUND if isinstance(exc, services.LineNotFound) else status.HTTP_400_BAD_REQUEST
    return Response({"detail": str(exc)}, status=code)


class CartView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS, summary="The shopper's cart", responses=CartOutput)
    def get(self, request: Request) -> Response:
        return Response(_cart_body(open_cart_page(request)))

    @extend_schema(tags=TAGS, summary="Empty the cart", responses={200: CartOutput, 400: OpenApiResponse(ErrorOutput)})
    def delete(self, request: Request) -> Response:
        cart_id = cart_id_to_change(request)
        if cart_id is None:
            return Response(_cart_body(None))
        try:
            services.cart_clear(cart_id=cart_id)
        except services.CartError as exc:
            return _refused(exc)
        return Response(_cart_body(selectors.cart_page(cart_id)))


class CartLinesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="Add a SKU (adds to its line when already in the cart)",
        request=AddLineInput,
        responses={201: CartOutput, 400: OpenApiResponse(ErrorOutput, description="Refused, with the reason")},
    )
    def post(self, request: Request) -> Response:
        given = AddLineInput(data=request.data)
        if not given.is_valid():
            return _invalid(given)
        try:
            cart_id = cart_id_for_change(request)
            services.cart_add(
                cart_id=cart_id, sku=given.validated_data["sku"], quantity=given.validated_data["quantity"]
            )
        except services.CartError as exc:
            return _refused(exc)
        return Response(_cart_body(selectors.cart_page(cart_id)), status=status.HTTP_201_CREATED)


class CartLineView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="Set a line's quantity",
        request=UpdateLineInput,
        responses={200: CartOutput, 400: OpenApiResponse(ErrorOutput), 404: OpenApiResponse(ErrorOutput)},
    )
    def patch(self, request: Request, sku: str) -> Response:
        given = UpdateLineInput(data=request.data)
        if not given.is_valid():
            return _invalid(given)
        cart_id = cart_id_to_change(request)
        if cart_id is None:
            return Response({"detail": "You have no cart yet."}, status=status.HTTP_404_NOT_FOUND)
        try:
            services.cart_set_quantity(cart_id=cart_id, sku=sku, quantity=given.validated_data["quantity"])
        except services.CartError as exc:
            return _refused(exc)
        return Response(_cart_body(selectors.cart_page(cart_id)))

    @extend_schema(tags=TAGS, summary="Remove a line", responses={200: CartOutput, 404: OpenApiResponse(ErrorOutput)})
    def delete(self, request: Request, sku: str) -> Response:
        cart_id = cart_id_to_change(request)
        if cart_id is None:
            return Response({"detail": "You have no cart yet."}, status=status.HTTP_404_NOT_FOUND)
        try:
            services.cart_remove_line(cart_id=cart_id, sku=sku)
        except services.CartError as exc:
            return _refused(exc)
        return Response(_cart_body(selectors.cart_page(cart_id)))
