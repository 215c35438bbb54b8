"""publish(): the one way any context announces that something happened."""

import json
import uuid

from django.db import transaction

from ecommerce.events.models import OutboxEvent
from ecommerce.events.registry import check_event_name
from ecommerce.events.tasks import send_to_relay


def publish(name: str, payload: dict) -> uuid.UUID:
    """Write the event to the outbox inside the caller's transaction and send it after commit.

    Nothing is sent if the transaction rolls back. If the broker is down at commit time the row
    waits for the sweeper. Raises ValueError for a malformed name or a payload that is not JSON.
    """
    check_event_name(name)
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"payload of {name} is not plain JSON ({exc}); send amounts as strings") from None
    event = OutboxEvent.objects.create(name=name, payload=payload)
    transaction.on_commit(lambda: send_to_relay(event.id))
    return event.id
