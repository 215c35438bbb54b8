"""Staff admin for orders: find them, read them, and move them along only through the services.

Every field is read-only here: a status changes only through the actions, which call the same
services as the API, so an illegal move is refused with the same message.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.template.response import TemplateResponse

from orders import services
from orders.forms import TrackingNumberForm
from orders.models import Order, OrderLine, Payment, StatusChange


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["sku", "product_name", "variant_name", "unit_price", "quantity", "line_total", "currency"]
    readonly_fields = fields


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["created_at", "kind", "status", "amount", "currency", "card_last4", "gateway", "reference", "message"]
    readonly_fields = fields


class PaidFilter(admin.SimpleListFilter):
    title = "paid"
    parameter_name = "paid"

    def lookups(self, request, model_admin):
        return [("yes", "Paid"), ("no", "Not paid")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(paid_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(paid_at__isnull=True)
        return queryset


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "email", "status", "total", "currency", "placed_at", "is_paid"]
    list_filter = ["status", ("placed_at", admin.DateFieldListFilter), PaidFilter, "shipping_method"]
    search_fields = ["number", "email"]
    date_hierarchy = "placed_at"
    list_select_related = ["user"]
    inlines = [OrderLineInline, StatusChangeInline, PaymentInline]
    actions = ["mark_fulfilled", "mark_shipped", "mark_delivered", "cancel_orders", "refund_orders"]
    readonly_fields = [
        "number",
        "status",
        "user",
        "email",
        "cart_id",
        "placed_at",
        "paid_at",
        "currency",
        "subtotal",
        "shipping_method",
        "shipping_cost",
        "tax_rate",
        "tax",
        "total",
        "shipping_address",
        "tracking_number",
        "payment_failure",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description="paid")
    def is_paid(self, order: Order) -> bool:
        return order.is_paid

    def _apply(self, request, queryset: QuerySet[Order], verb: str, call: Callable[[Order], object]) -> None:
        """Run a service per order; report what worked and, one message each, what was refused."""
        done = 0
        for order in queryset.order_by("placed_at"):
            try:
                call(order)
            except services.OrderError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} order{'s' if done != 1 else ''} {verb}.", level=messages.SUCCESS)

    @admin.action(description="Mark fulfilled (packed)")
    def mark_fulfilled(self, request, queryset):
        by = request.user.pk
        self._apply(
            request,
            queryset,
            "marked fulfilled",
            lambda o: services.order_mark_fulfilled(number=o.number, by_user_id=by),
        )

    @admin.action(description="Mark shipped (asks for tracking numbers)")
    def mark_shipped(self, request, queryset):
        orders = list(queryset.order_by("placed_at"))
        forms = {
            order.pk: TrackingNumberForm(request.POST if "apply" in request.POST else None, prefix=f"o{order.pk}")
            for order in orders
        }
        if "apply" in request.POST and all(form.is_valid() for form in forms.values()):
            by = request.user.pk
            numbers = {order.pk: forms[order.pk].cleaned_data["tracking_number"] for order in orders}
            self._apply(
                request,
                queryset,
                "marked shipped",
                lambda o: services.order_mark_shipped(number=o.number, tracking_number=numbers[o.pk], by_user_id=by),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Mark orders shipped",
            "opts": self.model._meta,
            "rows": [(order, forms[order.pk]) for order in orders],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/orders/order/mark_shipped.html", context)

    @admin.action(description="Mark delivered")
    def mark_delivered(self, request, queryset):
        by = request.user.pk
        self._apply(
            request,
            queryset,
            "marked delivered",
            lambda o: services.order_mark_delivered(number=o.number, by_user_id=by),
        )

    @admin.action(description="Cancel (releases or returns stock, refunds a payment)")
    def cancel_orders(self, request, queryset):
        by = request.user.pk
        self._apply(
            request,
            queryset,
            "cancelled",
            lambda o: services.order_cancel(number=o.number, by_user_id=by, reason="Cancelled by staff"),
        )

    @admin.action(description="Refund through the payment gateway")
    def refund_orders(self, request, queryset):
        by = request.user.pk
        self._apply(
            request,
            queryset,
            "refunded",
            lambda o: services.order_refund(number=o.number, by_user_id=by, reason="Refunded by staff"),
        )
