"""Factories for the inventory's stock records (reservations are made through the interface)."""

import factory

from inventory.models import StockItem, StockMovement


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
