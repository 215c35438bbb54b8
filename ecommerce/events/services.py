"""Staff decisions on dead letters."""

from django.db import transaction
from django.utils import timezone

from ecommerce.events.models import DeadLetter
from ecommerce.events.tasks import deliver_event


def dead_letters_retry(*, dead_letter_ids: list[int], user) -> int:
    """Send each open dead letter to its handler again, with a fresh retry budget; returns how many.

    Letters already retried or discarded are left alone, so a double click retries once.
    """
    with transaction.atomic():
        letters = list(
            DeadLetter.objects.select_for_update().filter(pk__in=dead_letter_ids, status=DeadLetter.Status.OPEN)
        )
        for letter in letters:
            letter.status = DeadLetter.Status.RETRIED
            letter.resolved_at = timezone.now()
            letter.resolved_by = user
            letter.save(update_fields=["status", "resolved_at", "resolved_by"])
            event_id, handler = str(letter.event_id), letter.handler
            transaction.on_commit(lambda e=event_id, h=handler: deliver_event.apply_async((e, h)))
    return len(letters)


def dead_letters_discard(*, dead_letter_ids: list[int], user) -> int:
    """Mark open dead letters as discarded: staff decided the event need not be applied."""
    return DeadLetter.objects.filter(pk__in=dead_letter_ids, status=DeadLetter.Status.OPEN).update(
        status=DeadLetter.Status.DISCARDED, resolved_at=timezone.now(), resolved_by=user
    )
