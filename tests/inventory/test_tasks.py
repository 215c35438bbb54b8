"""The periodic release of expired reservations."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from inventory import interface
from inventory.models import Reservation, StockItem
from inventory.tasks import release_expired_reservations
from tests.factories.inventory import StockItemFactory

pytestmark = pytest.mark.django_db


def expire(reference: str) -> None:
    Reservation.objects.filter(reference=reference).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_an_expired_reservation_is_released_by_the_periodic_task_and_publishes_stock_changed(published):
    """The beat task gives back the stock of a reservation past its expiry and announces it."""
    StockItemFactory(sku="A", on_hand=5)
    interface.reserve("CHK-OLD", {"A": 2}, ttl_seconds=60)
    interface.reserve("CHK-NEW", {"A": 1}, ttl_seconds=60)
    expire("CHK-OLD")

    released = release_expired_reservations.delay().get()

    assert released == 1
    assert dict(Reservation.objects.values_list("reference", "state")) == {"CHK-OLD": "expired", "CHK-NEW": "active"}
    assert StockItem.objects.get(sku="A").reserved == 1
    assert published("inventory.stock_changed.v1")[-1] == {"sku": "A", "available": 4, "on_hand": 5, "reserved": 1}


def test_an_expired_reservation_cannot_be_committed_and_releasing_it_changes_nothing():
    """After expiry the stock is no longer held: commit is refused, release is a no-op."""
    StockItemFactory(sku="A", on_hand=5)
    interface.reserve("CHK-1", {"A": 2}, ttl_seconds=60)
    expire("CHK-1")
    release_expired_reservations()

    with pytest.raises(interface.ReservationNotActive, match="expired"):
        interface.commit("CHK-1")
    interface.release("CHK-1")

    assert StockItem.objects.get(sku="A").reserved == 0
    assert Reservation.objects.get(reference="CHK-1").state == "expired"


def test_a_reservation_past_expiry_but_not_yet_swept_can_still_be_committed():
    """Until the task runs the stock is still held, so a late payment still gets it."""
    StockItemFactory(sku="A", on_hand=5)
    interface.reserve("ORD-1", {"A": 2}, ttl_seconds=60)
    expire("ORD-1")

    interface.commit("ORD-1")
    released = release_expired_reservations()

    assert released == 0
    assert (StockItem.objects.get(sku="A").on_hand, StockItem.objects.get(sku="A").reserved) == (3, 0)


def test_the_task_is_on_the_beat_schedule():
    """Celery beat runs the release task periodically."""
    entries = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert entries["inventory.release_expired_reservations"] == settings.INVENTORY_RELEASE_EXPIRED_EVERY_SECONDS
