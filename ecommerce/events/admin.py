"""Staff view of the outbox and the dead letters, with retry and discard actions."""

from django.contrib import admin, messages

from ecommerce.events.models import DeadLetter, OutboxEvent
from ecommerce.events.services import dead_letters_discard, dead_letters_retry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["name", "created_at", "dispatched_at"]
    list_filter = ["name"]
    search_fields = ["=id", "name"]
    date_hierarchy = "created_at"


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyAdmin):
    list_display = ["event_name", "handler", "attempts", "failed_at", "status"]
    list_filter = ["status", "handler"]
    list_select_related = ["event"]
    readonly_fields = ["event", "handler", "attempts", "error", "failed_at", "status", "resolved_at", "resolved_by"]
    actions = ["retry", "discard"]

    @admin.display(description="event", ordering="event__name")
    def event_name(self, letter):
        return letter.event.name

    def has_change_permission(self, request, obj=None):
        # Needed for the actions; every field stays read-only.
        return request.user.has_perm("events.change_deadletter")

    @admin.action(description="Retry the selected deliveries", permissions=["change"])
    def retry(self, request, queryset):
        count = dead_letters_retry(dead_letter_ids=list(queryset.values_list("pk", flat=True)), user=request.user)
        noun = "delivery" if count == 1 else "deliveries"
        self.message_user(request, f"{count} {noun} sent to the handler again.", messages.SUCCESS)

    @admin.action(description="Discard the selected deliveries", permissions=["change"])
    def discard(self, request, queryset):
        count = dead_letters_discard(dead_letter_ids=list(queryset.values_list("pk", flat=True)), user=request.user)
        noun = "delivery" if count == 1 else "deliveries"
        self.message_user(request, f"{count} {noun} discarded.", messages.SUCCESS)
