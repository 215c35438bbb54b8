"""Celery tasks of orders (thin: they call services)."""

from celery import shared_task

from orders import services


@shared_task(name="orders.cancel_unpaid_orders", acks_late=True, reject_on_worker_lost=True)
def cancel_unpaid_orders() -> int:
    """Periodic (Celery beat): cancel orders whose payment never finished; returns how many."""
    return services.orders_cancel_unpaid()
