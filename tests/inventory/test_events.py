"""The stock events other contexts rely on: exact names, payloads and when they are published."""

import pytest

from ecommerce.events import Event, subscribe
from ecommerce.events.registry import handler_name, unsubscribe
from inventory import interface
from tests.factories.inventory import StockItemFactory

pytestmark = pytest.mark.django_db


def test_every_change_of_available_publishes_stock_changed(published):
    """Reserve, release, receive and adjust each publish stock_changed with the new figures."""
    StockItemFactory(sku="A", on_hand=20, low_stock_threshold=2)

    interface.reserve("CHK-1", {"A": 4})
    interface.release("CHK-1")
    interface.receive("A", 5)
    interface.adjust("A", -1, "count")

    assert published("inventory.stock_changed.v1") == [
        {"sku": "A", "available": 16, "on_hand": 20, "reserved": 4},
        {"sku": "A", "available": 20, "on_hand": 20, "reserved": 0},
        {"sku": "A", "available": 25, "on_hand": 25, "reserved": 0},
        {"sku": "A", "available": 24, "on_hand": 24, "reserved": 0},
    ]


def test_commit_does_not_change_available_and_publishes_nothing(published):
    """Selling reserved stock moves on hand and reserved together, so availability events stay quiet."""
    StockItemFactory(sku="A", on_hand=20)
    interface.reserve("ORD-1", {"A": 4})

    interface.commit("ORD-1")

    assert len(published("inventory.stock_changed.v1")) == 1


def test_low_stock_is_published_once_when_crossing_the_threshold_downward(published):
    """Going from above the threshold to at or under it publishes low_stock; staying under does not."""
    StockItemFactory(sku="A", on_hand=10, low_stock_threshold=5)

    interface.reserve("CHK-1", {"A": 4})
    interface.reserve("CHK-2", {"A": 1})
    interface.reserve("CHK-3", {"A": 2})
    interface.release("CHK-3")

    assert published("inventory.low_stock.v1") == [{"sku": "A", "available": 5, "threshold": 5}]


def test_back_in_stock_is_published_when_going_from_zero_to_positive(published):
    """A sold-out SKU that gets stock again publishes back_in_stock; a SKU that had some does not."""
    StockItemFactory(sku="A", on_hand=2)
    interface.reserve("CHK-1", {"A": 2})

    interface.release("CHK-1")
    interface.receive("A", 3)

    assert published("inventory.back_in_stock.v1") == [{"sku": "A", "available": 2}]


def test_receiving_a_new_sku_is_back_in_stock(published):
    """The first stock of a SKU is announced as back in stock, so subscribers waiting for it hear of it."""
    interface.receive("NEW", 7)

    assert published("inventory.back_in_stock.v1") == [{"sku": "NEW", "available": 7}]
    assert published("inventory.stock_changed.v1") == [{"sku": "NEW", "available": 7, "on_hand": 7, "reserved": 0}]


def test_a_refused_reservation_publishes_nothing(published):
    """When nothing is reserved nothing is announced."""
    StockItemFactory(sku="A", on_hand=1)

    with pytest.raises(interface.InsufficientStock):
        interface.reserve("CHK-1", {"A": 2})

    assert published("inventory.stock_changed.v1") == []


def test_stock_changed_reaches_subscribers_after_commit(django_capture_on_commit_callbacks):
    """A handler subscribed to stock_changed receives the payload once the transaction commits."""
    received: list[dict] = []

    @subscribe("inventory.stock_changed.v1")
    def remember(event: Event) -> None:
        received.append(event.payload)

    StockItemFactory(sku="A", on_hand=3)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            interface.reserve("CHK-1", {"A": 1})
    finally:
        unsubscribe("inventory.stock_changed.v1", handler_name(remember))

    assert received == [{"sku": "A", "available": 2, "on_hand": 3, "reserved": 1}]
