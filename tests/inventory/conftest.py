"""Helpers shared by the inventory tests."""

import pytest

from ecommerce.events.models import OutboxEvent


@pytest.fixture
def published():
    """The payloads published under an event name so far, oldest first."""

    def payloads(name: str) -> list[dict]:
        return list(OutboxEvent.objects.filter(name=name).order_by("created_at").values_list("payload", flat=True))

    return payloads
