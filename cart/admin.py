"""Staff view of carts: read-only, since every change to a cart goes through the cart's services."""

from django.contrib import admin

from cart.models import Cart, CartLine


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    can_delete = False
    fields = ("sku", "quantity", "price_when_added", "currency", "product_name", "variant_name", "added_at")
    readonly_fields = fields


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "status", "order_number", "created_at", "updated_at")
    list_filter = ("status",)
    search_fields = ("user__username", "user__email", "order_number", "lines__sku")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = ("user", "session_key", "status", "order_number", "created_at", "updated_at", "checked_out_at")
    inlines = [CartLineInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
