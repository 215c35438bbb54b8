"""Inventory API: anyone may read stock levels; only staff receive and adjust (through the services)."""

from dataclasses import asdict

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from ecommerce.api_params import requested_skus
from inventory import interface, selectors
from inventory.api import serializers as s


def _refusal(exc: interface.InventoryError) -> Response:
    if isinstance(exc, interface.UnknownSku):
        raise Http404(str(exc))
    if isinstance(exc, interface.InsufficientStock):
        body = {"detail": str(exc), "short_lines": [asdict(line) for line in exc.short_lines]}
        return Response(body, status=status.HTTP_409_CONFLICT)
    return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)


class StockLevelListView(APIView):
    """Stock levels of several SKUs (`?sku=A&sku=B`) in request order; an unknown SKU is out, with zeros."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("sku", OpenApiTypes.STR, many=True, required=True)],
        responses=s.StockLevelOut(many=True),
    )
    def get(self, request):
        skus = requested_skus(request)
        levels = interface.availability(skus)
        return Response(s.StockLevelOut([levels[sku] for sku in dict.fromkeys(skus)], many=True).data)


class StockLevelDetailView(APIView):
    """The stock level of one SKU; 404 when the SKU has no stock record."""

    permission_classes = [AllowAny]

    @extend_schema(responses=s.StockLevelOut)
    def get(self, request, sku: str):
        if not selectors.stock_items_by_sku([sku]):
            raise Http404(f"no stock record for the SKU {sku!r}")
        return Response(s.StockLevelOut(interface.availability([sku])[sku]).data)


class ReceiveView(APIView):
    """Staff: add received stock to a SKU (creating its record if new)."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=s.ReceiveIn, responses={200: s.StockLevelOut, 400: s.RefusalOut})
    def post(self, request, sku: str):
        data = s.ReceiveIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            level = interface.receive(
                sku,
                data.validated_data["quantity"],
                reference=data.validated_data["reference"],
                user_id=request.user.pk,
            )
        except interface.InventoryError as exc:
            return _refusal(exc)
        return Response(s.StockLevelOut(level).data)


class AdjustView(APIView):
    """Staff: correct a SKU's stock on hand by a signed amount, with a reason."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=s.AdjustIn, responses={200: s.StockLevelOut, 400: s.RefusalOut, 409: s.RefusalOut})
    def post(self, request, sku: str):
        data = s.AdjustIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            level = interface.adjust(
                sku,
                data.validated_data["delta"],
                data.validated_data["reason"],
                reference=data.validated_data["reference"],
                user_id=request.user.pk,
            )
        except interface.InventoryError as exc:
            return _refusal(exc)
        return Response(s.StockLevelOut(level).data)
