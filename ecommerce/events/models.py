"""Outbox, inbox and dead-letter tables of the event bus."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxEvent(models.Model):
    """An event written in the publisher's transaction; sent to its handlers after commit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, db_index=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(dispatched_at__isnull=True), name="outbox_undispatched_idx"
            )
        ]

    def __str__(self):
        return f"{self.name} {self.id}"


class InboxRecord(models.Model):
    """Proof that one handler has applied one event: a redelivery finds it and does nothing."""

    event_id = models.UUIDField()
    handler = models.CharField(max_length=255)
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_id", "handler"], name="inbox_event_handler_unique")]

    def __str__(self):
        return f"{self.handler} applied {self.event_id}"


class DeadLetter(models.Model):
    """A delivery that failed for good: kept for staff to retry or discard."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RETRIED = "retried", "Retried"
        DISCARDED = "discarded", "Discarded"

    event = models.ForeignKey(OutboxEvent, on_delete=models.PROTECT, related_name="dead_letters")
    handler = models.CharField(max_length=255)
    attempts = models.PositiveIntegerField()
    error = models.TextField()
    failed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-failed_at"]

    def __str__(self):
        return f"{self.handler} failed on {self.event.name}"
