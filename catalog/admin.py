"""Staff editing of the catalog. The forms validate; every save goes through catalog.services, so a
price change made here writes history and publishes catalog.price_changed exactly once, like any
other write.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from catalog import media, services
from catalog.models import Category, PriceHistory, Product, ProductImage, Variant

PRODUCT_FIELDS = ["name", "slug", "category", "brand", "description", "attributes", "is_active", "is_featured"]
VARIANT_FIELDS = ["name", "options", "compare_at_price", "is_active", "position"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "position", "is_featured"]
    list_select_related = ["parent"]
    list_filter = ["is_featured"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


class VariantForm(forms.ModelForm):
    """A variant row; the SKU is fixed once saved, because carts and orders refer to it."""

    class Meta:
        model = Variant
        fields = ["sku", "name", "options", "price", "compare_at_price", "currency", "is_active", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["sku"].disabled = True


class VariantInline(admin.TabularInline):
    model = Variant
    form = VariantForm
    extra = 0
    can_delete = False  # orders and carts keep SKUs: deactivate a variant instead
    readonly_fields = ["in_stock"]
    fields = ["sku", "name", "options", "price", "compare_at_price", "currency", "is_active", "position", "in_stock"]


class ProductImageForm(forms.ModelForm):
    """An image row: uploads that are not images, or are over 10 MB, are refused with a form error."""

    class Meta:
        model = ProductImage
        fields = ["image", "alt_text", "position"]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload and "image" in self.changed_data:
            try:
                media.validate_image(upload)
            except media.InvalidImage as exc:
                raise forms.ValidationError(str(exc)) from None
        return upload

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Replacing a stored photo would orphan its thumbnails: delete the row and add a new one.
            self.fields["image"].disabled = True


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    extra = 1
    fields = ["image", "preview", "alt_text", "position"]
    readonly_fields = ["preview"]

    @admin.display(description="thumbnail")
    def preview(self, image):
        if not image.pk:
            return "-"
        if not image.thumbnail_small:
            return "being made"
        return format_html('<img src="{}" alt="" width="80">', image.thumbnail_small.url)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "category", "brand", "min_price", "in_stock", "is_active", "updated_at"]
    list_select_related = ["category"]
    list_filter = ["is_active", "in_stock", "is_featured", "category"]
    search_fields = ["name", "slug", "brand", "=variants__sku"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category"]
    readonly_fields = ["min_price", "in_stock", "created_at", "updated_at"]
    fields = [*PRODUCT_FIELDS, "min_price", "in_stock", "created_at", "updated_at"]
    inlines = [VariantInline, ProductImageInline]
    actions = ["activate", "deactivate"]

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in PRODUCT_FIELDS if field in form.cleaned_data}
        if change:
            current = Product.objects.get(pk=obj.pk)
            saved = services.product_update(
                product=current, **{field: data[field] for field in form.changed_data if field in data}
            )
        else:
            saved = services.product_create(**data)
        # The admin goes on using `obj` (inlines, messages, redirect): give it the saved row's values.
        for field in Product._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_formset(self, request, form, formset, change):
        if formset.model is Variant:
            self._save_variants(request, form.instance, formset)
        elif formset.model is ProductImage:
            self._save_images(form.instance, formset)
        else:
            super().save_formset(request, form, formset, change)

    def _save_variants(self, request, product, formset):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed() or not row.cleaned_data:
                continue
            data = row.cleaned_data
            if row.instance.pk is None:
                variant = services.variant_create(
                    product=product,
                    sku=data["sku"],
                    price=data["price"],
                    compare_at_price=data.get("compare_at_price"),
                    name=data.get("name", ""),
                    options=data.get("options") or {},
                    currency=data.get("currency") or None,
                    is_active=data.get("is_active", True),
                    position=data.get("position") or 0,
                    changed_by=request.user,
                )
                formset.new_objects.append(variant)
                continue
            variant = Variant.objects.get(pk=row.instance.pk)
            changed = list(row.changed_data)
            if "price" in changed:
                services.change_price(
                    variant=variant,
                    new_price=data["price"],
                    compare_at_price=data.get("compare_at_price"),
                    changed_by=request.user,
                )
            other = {
                field: data[field]
                for field in VARIANT_FIELDS
                if field in changed and not (field == "compare_at_price" and "price" in changed)
            }
            if other:
                services.variant_update(variant=variant, **other)
            formset.changed_objects.append((variant, changed))

    def _save_images(self, product, formset):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.cleaned_data:
                continue
            data = row.cleaned_data
            if row.instance.pk and data.get("DELETE"):
                services.product_image_delete(image=ProductImage.objects.get(pk=row.instance.pk))
                formset.deleted_objects.append(row.instance)
            elif row.instance.pk is None and data.get("image"):
                image = services.product_image_add(
                    product=product, upload=data["image"], alt_text=data.get("alt_text", ""),
                    position=data.get("position"),
                )
                formset.new_objects.append(image)
            elif row.instance.pk and row.has_changed():
                image = services.product_image_update(
                    image=ProductImage.objects.get(pk=row.instance.pk),
                    alt_text=data.get("alt_text", ""),
                    position=data.get("position") or 0,
                )
                formset.changed_objects.append((image, row.changed_data))

    @admin.action(description="Activate the selected products")
    def activate(self, request, queryset):
        for product in queryset:
            services.product_activate(product=product)
        self.message_user(request, f"{queryset.count()} products active.", messages.SUCCESS)

    @admin.action(description="Deactivate the selected products")
    def deactivate(self, request, queryset):
        for product in queryset:
            services.product_deactivate(product=product)
        self.message_user(request, f"{queryset.count()} products hidden from the shop.", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        # Carts, orders and reports keep product ids and SKUs: hide a product instead of deleting it.
        return False


@admin.register(PriceHistory)
class PriceHistoryAdmin(admin.ModelAdmin):
    list_display = ["variant", "old_price", "new_price", "currency", "changed_at", "changed_by"]
    list_select_related = ["variant", "changed_by"]
    search_fields = ["=variant__sku"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
