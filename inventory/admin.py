"""Staff views of stock: levels (searchable by SKU, filtered by low/out), adjustments through the
services, the read-only ledger and reservations."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from inventory import selectors, services
from inventory.forms import StockAdjustmentForm
from inventory.models import Reservation, ReservationLine, StockItem, StockMovement


class StockStatusFilter(admin.SimpleListFilter):
    title = "stock status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("low", "Low stock"), ("out", "Out of stock")]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(pk__in=selectors.stock_items_low().values("pk"))
        if self.value() == "out":
            return queryset.filter(pk__in=selectors.stock_items_out().values("pk"))
        return queryset


@admin.register(StockItem)
class StockItemAdmin(admin.ModelAdmin):
    list_display = ["sku", "on_hand", "reserved", "available_now", "low_stock_threshold", "updated_at", "adjust_link"]
    list_filter = [StockStatusFilter]
    search_fields = ["sku"]
    # Stock figures change only through the services (adjust, receive, reservations): never typed in.
    readonly_fields = ["sku", "on_hand", "reserved", "available_now", "updated_at"]
    fields = ["sku", "on_hand", "reserved", "available_now", "low_stock_threshold", "updated_at"]

    @admin.display(description="available")
    def available_now(self, item):
        return item.available

    @admin.display(description="")
    def adjust_link(self, item):
        return format_html('<a href="{}">Adjust</a>', reverse("admin:inventory_stockitem_adjust", args=[item.pk]))

    def has_add_permission(self, request):
        # New SKUs arrive with stock through receiving, the CSV import or catalog seeding.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        adjust = path(
            "<path:object_id>/adjust/",
            self.admin_site.admin_view(self.adjust_view),
            name="inventory_stockitem_adjust",
        )
        return [adjust, *super().get_urls()]

    def adjust_view(self, request, object_id):
        """Change stock on hand by a signed amount, with a reason, through the adjustment service."""
        item = self.get_object(request, unquote(object_id))
        if item is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, item):
            raise PermissionDenied
        form = StockAdjustmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                item = services.stock_adjust(
                    sku=item.sku,
                    delta=form.cleaned_data["delta"],
                    reason=form.cleaned_data["reason"],
                    reference=form.cleaned_data["reference"],
                    user_id=request.user.pk,
                )
            except services.InventoryError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request, f"Stock of {item.sku} adjusted: {item.available} available now.", messages.SUCCESS
                )
                return redirect(reverse("admin:inventory_stockitem_change", args=[item.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": item,
            "form": form,
            "title": f"Adjust stock of {item.sku}",
        }
        return TemplateResponse(request, "admin/inventory/stockitem/adjust.html", context)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "sku", "delta", "reason", "reference", "note", "user"]
    list_filter = ["reason"]
    list_select_related = ["user"]
    search_fields = ["=sku", "=reference"]
    date_hierarchy = "created_at"


class ReservationLineInline(admin.TabularInline):
    model = ReservationLine
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "state", "created_at", "expires_at", "closed_at"]
    list_filter = ["state"]
    search_fields = ["=reference", "lines__sku"]
    inlines = [ReservationLineInline]
    date_hierarchy = "created_at"
