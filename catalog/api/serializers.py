"""Input and output shapes of the catalog API: one small serializer per direction and use."""

from rest_framework import serializers


class CategoryRefOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ImageOut(serializers.Serializer):
    """URLs of a photo; a thumbnail's URL is the original's until the thumbnail has been made."""

    url = serializers.SerializerMethodField()
    small_url = serializers.SerializerMethodField()
    large_url = serializers.SerializerMethodField()
    alt_text = serializers.CharField()

    def get_url(self, image) -> str:
        return image.image.url

    def get_small_url(self, image) -> str:
        return image.thumbnail_small.url if image.thumbnail_small else image.image.url

    def get_large_url(self, image) -> str:
        return image.thumbnail_large.url if image.thumbnail_large else image.image.url


class VariantOut(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    options = serializers.DictField(child=serializers.CharField())
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    compare_at_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    in_stock = serializers.BooleanField()
    is_active = serializers.BooleanField()


class ProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    brand = serializers.CharField()
    category = CategoryRefOut()
    description = serializers.CharField()
    min_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    in_stock = serializers.BooleanField()
    is_featured = serializers.BooleanField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    images = ImageOut(many=True)
    variants = VariantOut(many=True)


class ProductDetailOut(ProductOut):
    attributes = serializers.DictField()
    breadcrumbs = serializers.SerializerMethodField()

    def get_breadcrumbs(self, product) -> list[dict]:
        return [{"slug": c.slug, "name": c.name} for c in product.category.ancestors()]


class VariantProductOut(serializers.Serializer):
    id = serializers.IntegerField(source="product.pk")
    slug = serializers.CharField(source="product.slug")
    name = serializers.CharField(source="product.name")
    is_active = serializers.BooleanField(source="product.is_active")
    image_url = serializers.SerializerMethodField()

    def get_image_url(self, variant) -> str:
        images = list(variant.product.images.all())
        if not images:
            return ""
        first = images[0]
        return first.thumbnail_small.url if first.thumbnail_small else first.image.url


class VariantLookupOut(VariantOut):
    product = VariantProductOut(source="*")


class CategoryNodeOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    is_featured = serializers.BooleanField()
    children = serializers.SerializerMethodField()

    def get_children(self, node) -> list[dict]:
        return CategoryNodeOut(node.children, many=True).data


# Staff writes: validated again by the services, which are the single source of the rules.


class VariantIn(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    compare_at_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    options = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    is_active = serializers.BooleanField(required=False, default=True)
    position = serializers.IntegerField(min_value=0, required=False, default=0)


class VariantPatchIn(serializers.Serializer):
    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    compare_at_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    options = serializers.DictField(child=serializers.CharField(), required=False)
    is_active = serializers.BooleanField(required=False)
    position = serializers.IntegerField(min_value=0, required=False)


class ProductIn(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    category = serializers.SlugField(max_length=200, help_text="slug of an existing category")
    slug = serializers.SlugField(max_length=255, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    brand = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    attributes = serializers.DictField(required=False, default=dict)
    is_active = serializers.BooleanField(required=False, default=True)
    is_featured = serializers.BooleanField(required=False, default=False)
    variants = VariantIn(many=True, required=False, default=list)


class ProductPatchIn(serializers.Serializer):
    name = serializers.CharField(max_length=255, required=False)
    category = serializers.SlugField(max_length=200, required=False)
    slug = serializers.SlugField(max_length=255, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    brand = serializers.CharField(max_length=120, required=False, allow_blank=True)
    attributes = serializers.DictField(required=False)
    is_active = serializers.BooleanField(required=False)
    is_featured = serializers.BooleanField(required=False)
