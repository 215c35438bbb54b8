"""Celery tasks of the inventory (thin: they call services)."""

from celery import shared_task

from inventory import services


@shared_task(name="inventory.release_expired_reservations", acks_late=True, reject_on_worker_lost=True)
def release_expired_reservations() -> int:
    """Periodic (Celery beat): give back the stock of reservations past their expiry; returns how many."""
    return services.reservations_expire()
