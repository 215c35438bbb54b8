"""The shared kernel's event bus (DESIGN §3): a transactional outbox, per-handler Celery deliveries,
an inbox for idempotency, retries with backoff and jitter, and a dead-letter table.

Contexts use only what this module exports:

    from ecommerce.events import Event, publish, subscribe

    publish("catalog.price_changed.v1", {"sku": "A-1", "old": "10.00", "new": "8.00"})

    @subscribe("catalog.price_changed.v1")
    def forget_cached_cart(event: Event) -> None: ...
"""

from ecommerce.events.envelope import Event
from ecommerce.events.errors import TransientError
from ecommerce.events.registry import subscribe

__all__ = ["Event", "TransientError", "publish", "subscribe"]


def __getattr__(name):
    # publish() needs the outbox model, which cannot be imported while Django is loading its apps.
    if name == "publish":
        from ecommerce.events.publishing import publish

        return publish
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
