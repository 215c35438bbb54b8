"""Factories for the inventory's stock records and reservations."""

from datetime import timedelta

import factory
from django.utils import timezone

from inventory.models import Reservation, ReservationLine, StockItem, StockMovement


class StockItemFactory(factory.django.DjangoModelFactory):
    """A SKU with stock on hand; its opening stock is in the ledger so the ledger sums to available."""

    class Meta:
        model = StockItem
        skip_postgeneration_save = True

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    on_hand = 10
    reserved = 0
    low_stock_threshold = 5

    @factory.post_generation
    def ledger(item, create, extracted, **kwargs):
        if create and item.on_hand:
            StockMovement.objects.create(sku=item.sku, delta=item.on_hand, reason=StockMovement.Reason.RECEIVED)


class ReservationFactory(factory.django.DjangoModelFactory):
    """A bare reservation record (no stock held); reserve through the interface to hold stock."""

    class Meta:
        model = Reservation

    reference = factory.Sequence(lambda n: f"CHK-{n:05d}")
    state = Reservation.State.ACTIVE
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15))


class ReservationLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReservationLine

    reservation = factory.SubFactory(ReservationFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    quantity = 1
