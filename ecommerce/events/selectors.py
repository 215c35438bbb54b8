"""Reads about the event bus's health."""

from dataclasses import dataclass

from ecommerce.events.models import DeadLetter, OutboxEvent


@dataclass(frozen=True)
class OutboxHealth:
    undispatched: int
    dead_letters: int


def outbox_health() -> OutboxHealth:
    """How many events wait to be dispatched and how many deliveries wait in the dead-letter table."""
    return OutboxHealth(
        undispatched=OutboxEvent.objects.filter(dispatched_at__isnull=True).count(),
        dead_letters=DeadLetter.objects.filter(status=DeadLetter.Status.OPEN).count(),
    )
