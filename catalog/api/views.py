"""Catalog API: reads for everyone, writes for staff through the same services as the admin."""

import hashlib

from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors, selectors_storefront, services
from catalog.api import serializers as s
from catalog.api.filters import ProductFilter
from catalog.models import Category, Product, Variant
from ecommerce import page_cache
from ecommerce.api_params import requested_skus
from ecommerce.throttling import anonymous_api_allowed


class IsStaffOrReadOnly(BasePermission):
    """Anyone may read; only staff may write."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or bool(request.user and request.user.is_staff)


class ProductPagination(PageNumberPagination):
    page_size = 24
    page_size_query_param = "page_size"
    max_page_size = 100


def _refused(exc: services.CatalogError) -> ValidationError:
    return ValidationError({"detail": str(exc)})


def _category(slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise ValidationError({"category": f"no category with the slug {slug!r}"})
    return category


def _staff_product(slug: str) -> Product:
    product = selectors.product_for_staff(slug=slug)
    if product is None:
        raise Http404(f"no product with the slug {slug!r}")
    return product


class ProductListView(generics.ListAPIView):
    """Active products, filtered and ordered; staff POST creates a product with its variants."""

    serializer_class = s.ProductOut
    filterset_class = ProductFilter
    pagination_class = ProductPagination
    permission_classes = [IsStaffOrReadOnly]

    def get_queryset(self):
        return selectors.product_list()

    def list(self, request, *args, **kwargs):
        """Anonymous answers are cached by address (parameters in any order) and format until the
        catalog changes; JSON answers are kept rendered, and each web process keeps a copy of them
        (counted against the caller's rate as any request)."""
        if request.user.is_authenticated:
            return super().list(request, *args, **kwargs)
        params = sorted((name, value) for name, values in request.query_params.lists() for value in values)
        renderer = request.accepted_renderer
        address = f"{request.scheme}://{request.get_host()}{request.path}?{params!r} as {renderer.format}"
        token_key = page_cache.generation_key(selectors_storefront.API_ANSWERS)
        token = page_cache.token(token_key)
        key = f"catalog:api-products:{token}:{hashlib.sha256(address.encode()).hexdigest()}"
        cached = cache.get(key)
        if cached is not None:
            data, body = cached
            if body is None:
                return Response(data)
            response = HttpResponse(body, content_type=f"{request.accepted_media_type}")
        else:
            response = super().list(request, *args, **kwargs)
            body = None
            if isinstance(renderer, JSONRenderer):
                body = renderer.render(response.data, request.accepted_media_type, self.get_renderer_context())
            cache.set(key, (response.data, body), page_cache.CACHE_SECONDS)
        if body is not None:
            page_cache.mark_shared(response, token_key, token, vary_on_accept=True,
                                   throttle=anonymous_api_allowed)
        return response

    @extend_schema(request=s.ProductIn, responses={201: s.ProductDetailOut})
    def post(self, request):
        data = s.ProductIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        variants = fields.pop("variants")
        fields["category"] = _category(fields["category"])
        try:
            with transaction.atomic():
                product = services.product_create(**fields)
                for variant in variants:
                    services.variant_create(product=product, changed_by=request.user, **variant)
        except services.CatalogError as exc:
            raise _refused(exc) from None
        return Response(s.ProductDetailOut(_staff_product(product.slug)).data, status=status.HTTP_201_CREATED)


class ProductDetailView(APIView):
    """One active product by slug, with its variants, images and breadcrumbs; staff PATCH edits it."""

    permission_classes = [IsStaffOrReadOnly]

    @extend_schema(responses=s.ProductDetailOut)
    def get(self, request, slug: str):
        product = selectors.product_detail(slug=slug)
        if product is None:
            raise Http404(f"no product with the slug {slug!r}")
        return Response(s.ProductDetailOut(product).data)

    @extend_schema(request=s.ProductPatchIn, responses=s.ProductDetailOut)
    def patch(self, request, slug: str):
        product = _staff_product(slug)
        data = s.ProductPatchIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "category" in fields:
            fields["category"] = _category(fields["category"])
        try:
            product = services.product_update(product=product, **fields)
        except services.CatalogError as exc:
            raise _refused(exc) from None
        return Response(s.ProductDetailOut(_staff_product(product.slug)).data)


class ProductVariantCreateView(APIView):
    """Staff add a variant (SKU) to a product."""

    permission_classes = [IsStaffOrReadOnly]

    @extend_schema(request=s.VariantIn, responses={201: s.VariantOut})
    def post(self, request, slug: str):
        product = _staff_product(slug)
        data = s.VariantIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            variant = services.variant_create(product=product, changed_by=request.user, **data.validated_data)
        except services.CatalogError as exc:
            raise _refused(exc) from None
        return Response(s.VariantOut(variant).data, status=status.HTTP_201_CREATED)


class VariantLookupView(APIView):
    """Variants by SKU (`?sku=A&sku=B`), sold or not, with their product: for carts and orders."""

    permission_classes = [IsStaffOrReadOnly]

    @extend_schema(
        parameters=[OpenApiParameter("sku", OpenApiTypes.STR, many=True, required=True)],
        responses=s.VariantLookupOut(many=True),
    )
    def get(self, request):
        skus = requested_skus(request)
        return Response(s.VariantLookupOut(selectors.variants_by_skus(skus), many=True).data)


class VariantDetailView(APIView):
    """One variant by SKU; staff PATCH changes it (a new price goes through change_price)."""

    permission_classes = [IsStaffOrReadOnly]

    def _variant(self, sku: str) -> Variant:
        variants = selectors.variants_by_skus([sku])
        if not variants:
            raise Http404(f"no variant with the SKU {sku!r}")
        return variants[0]

    @extend_schema(responses=s.VariantLookupOut)
    def get(self, request, sku: str):
        return Response(s.VariantLookupOut(self._variant(sku)).data)

    @extend_schema(request=s.VariantPatchIn, responses=s.VariantLookupOut)
    def patch(self, request, sku: str):
        variant = self._variant(sku)
        data = s.VariantPatchIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            with transaction.atomic():
                if "price" in fields:
                    # Price and compare-at price are checked together, so they change together.
                    price_fields = {key: fields.pop(key) for key in ("compare_at_price",) if key in fields}
                    services.change_price(
                        variant=variant, new_price=fields.pop("price"), changed_by=request.user, **price_fields
                    )
                services.variant_update(variant=variant, **fields)
        except services.CatalogError as exc:
            raise _refused(exc) from None
        return Response(s.VariantLookupOut(self._variant(sku)).data)


class CategoryTreeView(APIView):
    """Every category as a tree (one query)."""

    permission_classes = [IsStaffOrReadOnly]

    @extend_schema(responses=s.CategoryNodeOut(many=True))
    def get(self, request):
        return Response(s.CategoryNodeOut(selectors.category_tree(), many=True).data)
