"""Applying one event to one handler exactly once, and what happens when it keeps failing."""

import random
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction

from ecommerce.events.envelope import Event
from ecommerce.events.models import DeadLetter, InboxRecord, OutboxEvent
from ecommerce.events.registry import get_handler


def apply_once(event_id: str | uuid.UUID, handler_name: str) -> bool:
    """Run the handler on the event unless the inbox says it already has; True when it ran.

    The inbox row and the handler's writes commit together, so a failure leaves no trace and a
    concurrent duplicate waits on the inbox's unique key, then sees the row and does nothing.
    """
    row = OutboxEvent.objects.get(pk=event_id)
    handler = get_handler(row.name, handler_name)
    event = Event(id=row.id, name=row.name, payload=row.payload, occurred_at=row.created_at)
    with transaction.atomic():
        try:
            with transaction.atomic():
                InboxRecord.objects.create(event_id=row.id, handler=handler_name)
        except IntegrityError:
            return False
        handler(event)
    return True


def backoff_seconds(attempt: int) -> float:
    """Delay before retry number `attempt` (0-based): exponential, capped, with jitter.

    The cap stays below the broker's visibility timeout (checked in settings), so a delayed retry is
    never delivered twice by Redis.
    """
    ceiling = min(settings.EVENTS_RETRY_MAX_SECONDS, settings.EVENTS_RETRY_BASE_SECONDS * 2**attempt)
    return random.uniform(ceiling / 2, ceiling)


def record_dead_letter(event_id: str | uuid.UUID, handler_name: str, attempts: int, error: str) -> DeadLetter:
    """Park a delivery that failed for good, for staff to retry or discard in the admin."""
    return DeadLetter.objects.create(event_id=event_id, handler=handler_name, attempts=attempts, error=error)
