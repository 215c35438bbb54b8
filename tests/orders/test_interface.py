"""What other contexts may ask orders directly (everything else travels as events)."""

from decimal import Decimal

import pytest

from orders import interface
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db


def test_purchased_skus_leave_out_cancelled_and_refunded_orders(django_assert_num_queries):
    """A shopper's bought SKUs come from their live orders only, in one query."""
    user = UserFactory()
    OrderLineFactory(order=OrderFactory(user=user, status="paid"), sku="A")
    OrderLineFactory(order=OrderFactory(user=user, status="delivered"), sku="B")
    OrderLineFactory(order=OrderFactory(user=user, status="cancelled"), sku="C")
    OrderLineFactory(order=OrderFactory(user=user, status="refunded"), sku="D")
    OrderLineFactory(order=OrderFactory(status="paid"), sku="E")

    with django_assert_num_queries(1):
        skus = interface.purchased_skus(user.pk)

    assert skus == frozenset({"A", "B"})


def test_recent_orders_are_plain_summaries_newest_first(django_assert_num_queries):
    """Summaries carry number, status, total and SKUs; never a model."""
    user = UserFactory()
    older = OrderFactory(user=user)
    newer = OrderFactory(user=user, total=Decimal("9.99"))
    OrderLineFactory(order=newer, sku="A")

    with django_assert_num_queries(2):
        summaries = interface.recent_orders(user.pk)

    assert [s.number for s in summaries] == [newer.number, older.number]
    assert summaries[0] == interface.OrderSummary(
        number=newer.number,
        status="placed",
        placed_at=newer.placed_at,
        total=Decimal("9.99"),
        currency="USD",
        skus=("A",),
    )
