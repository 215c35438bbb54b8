"""Celery tasks of the event bus: the relay, per-handler deliveries and the sweeper."""

import logging
import traceback
import uuid
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from ecommerce.events.delivery import apply_once, backoff_seconds, record_dead_letter
from ecommerce.events.errors import TRANSIENT_ERRORS
from ecommerce.events.models import OutboxEvent
from ecommerce.events.registry import handlers_for

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500


def send_to_relay(event_id: uuid.UUID) -> None:
    """Queue the dispatch of one outbox row; a broker outage leaves the row for the sweeper."""
    try:
        dispatch_event.apply_async((str(event_id),), retry=False)
    except (BrokerError, OSError) as exc:
        logger.warning("broker unreachable, event %s left for the sweeper: %s", event_id, exc)


def dispatch(event_id: str) -> bool:
    """Send one undispatched outbox row to each of its handlers; False when there was nothing to do.

    The row is claimed with SELECT ... FOR UPDATE SKIP LOCKED, so two relays never send it twice,
    and marked dispatched only in the transaction that queued every delivery: if queueing fails the
    row stays for the sweeper (a delivery queued twice is harmless, the inbox applies it once).
    """
    with transaction.atomic():
        row = (
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, dispatched_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        for name in handlers_for(row.name):
            deliver_event.apply_async((str(row.id), name), retry=False)
        row.dispatched_at = timezone.now()
        row.save(update_fields=["dispatched_at"])
    return True


@shared_task(name="events.dispatch", acks_late=True, reject_on_worker_lost=True)
def dispatch_event(event_id: str) -> bool:
    """Relay one outbox row to its handlers."""
    return dispatch(event_id)


@shared_task(name="events.deliver", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_event(self, event_id: str, handler_name: str) -> bool:
    """Apply one event to one handler; transient failures retry with backoff, then dead-letter."""
    try:
        return apply_once(event_id, handler_name)
    except TRANSIENT_ERRORS as exc:
        attempt = self.request.retries
        if attempt >= settings.EVENTS_MAX_RETRIES:
            logger.error("handler %s gave up on event %s after %d attempts", handler_name, event_id, attempt + 1)
            record_dead_letter(event_id, handler_name, attempts=attempt + 1, error=_describe(exc))
            return False
        logger.warning("handler %s failed on event %s (attempt %d), retrying", handler_name, event_id, attempt + 1)
        raise self.retry(exc=exc, countdown=backoff_seconds(attempt)) from exc
    except Exception as exc:
        # Not transient: a bug or bad data that a retry cannot mend. Park it for staff, visibly.
        logger.exception("handler %s failed for good on event %s", handler_name, event_id)
        record_dead_letter(event_id, handler_name, attempts=self.request.retries + 1, error=_describe(exc))
        return False


@shared_task(name="events.sweep")
def sweep_outbox() -> int:
    """Re-dispatch rows that stayed undispatched (broker down at commit, worker killed); returns how many."""
    cutoff = timezone.now() - timedelta(seconds=settings.EVENTS_SWEEP_AFTER_SECONDS)
    stale = (
        OutboxEvent.objects.filter(dispatched_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    sent = 0
    for event_id in list(stale):
        try:
            sent += dispatch(str(event_id))
        except BrokerError as exc:
            logger.warning("broker still unreachable, sweep stopped after %d events: %s", sent, exc)
            break
    return sent


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))[-4000:]
