"""The order lifecycle: legal transitions with a timeline, cancellation and refunds through the gateway."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import services
from orders.addresses import Address
from orders.models import Order
from orders.payments import DummyGateway
from orders.tasks import cancel_unpaid_orders
from tests.factories.orders import OrderFactory
from tests.factories.users import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(shop):
    shop.product("MUG-1", price="10.00", stock=5, name="Mug")
    return shop.place(shop.cart({"MUG-1": 2})).order


def test_an_order_goes_from_paid_to_delivered_with_who_and_when_on_its_timeline(paid_order, published):
    """Fulfilled, shipped with a tracking number, delivered: each step is on the timeline with the staff member."""
    staff = StaffFactory()
    number = paid_order.number

    services.order_mark_fulfilled(number=number, by_user_id=staff.pk)
    services.order_mark_shipped(number=number, tracking_number=" 1Z999AA10123456784 ", by_user_id=staff.pk)
    order = services.order_mark_delivered(number=number, by_user_id=staff.pk)

    assert (order.status, order.tracking_number) == ("delivered", "1Z999AA10123456784")
    history = list(order.history.values_list("from_status", "to_status", "by_id"))
    assert history == [
        ("", "placed", None),
        ("placed", "paid", None),
        ("paid", "fulfilled", staff.pk),
        ("fulfilled", "shipped", staff.pk),
        ("shipped", "delivered", staff.pk),
    ]
    assert all(change.at is not None for change in order.history.all())
    changes = published("orders.order_status_changed.v1")
    assert [(c["from"], c["to"], c["by_user_id"]) for c in changes] == [
        ("placed", "paid", None),
        ("paid", "fulfilled", staff.pk),
        ("fulfilled", "shipped", staff.pk),
        ("shipped", "delivered", staff.pk),
    ]
    assert changes[2]["tracking_number"] == "1Z999AA10123456784"


def test_an_illegal_transition_is_refused_with_a_clear_error():
    """Delivered -> paid is not a move the lifecycle allows: the error says what the order can become."""
    order = OrderFactory(status="delivered")

    with pytest.raises(services.IllegalTransition) as refused:
        services.order_mark_fulfilled(number=order.number, by_user_id=None)

    assert str(refused.value) == (
        f"Order {order.number} is delivered and cannot become fulfilled. It can become: refunded."
    )
    order.refresh_from_db()
    assert order.status == "delivered"
    assert order.history.count() == 1


def test_nothing_follows_a_cancelled_order():
    """A cancelled order's lifecycle has ended."""
    order = OrderFactory(status="cancelled")

    with pytest.raises(services.IllegalTransition) as refused:
        services.order_refund(number=order.number, by_user_id=None)

    assert str(refused.value).endswith("is cancelled and cannot become refunded. Its lifecycle has ended.")


def test_shipping_needs_a_tracking_number(paid_order):
    """A blank tracking number is refused and the order stays fulfilled."""
    services.order_mark_fulfilled(number=paid_order.number, by_user_id=None)

    with pytest.raises(services.OrderError, match="needs a tracking number"):
        services.order_mark_shipped(number=paid_order.number, tracking_number="  ", by_user_id=None)

    paid_order.refresh_from_db()
    assert paid_order.status == "fulfilled"


def test_shipping_an_unfulfilled_order_is_refused(paid_order):
    """Paid -> shipped skips packing and is refused."""
    with pytest.raises(services.IllegalTransition, match="is paid and cannot become shipped"):
        services.order_mark_shipped(number=paid_order.number, tracking_number="T1", by_user_id=None)


def test_cancelling_a_paid_order_refunds_it_and_puts_the_stock_back(paid_order, stock, published):
    """Cancel after payment: the gateway refunds the full amount and the goods go back on hand as returned."""
    staff = StaffFactory()

    order = services.order_cancel(number=paid_order.number, by_user_id=staff.pk, reason="Customer changed mind")

    assert order.status == "cancelled"
    assert [r.amount for r in DummyGateway.refunds] == [order.total]
    assert list(order.payments.values_list("kind", "status")) == [("charge", "captured"), ("refund", "refunded")]
    assert (stock("MUG-1").on_hand, stock("MUG-1").available) == (5, 5)
    assert published("orders.order_cancelled.v1")[-1]["stock"] == "returned"
    assert order.history.last().note == "Customer changed mind"


def test_cancelling_an_unpaid_order_releases_its_reservation(shop, stock):
    """A placed order that was never paid gives its held stock back and refunds nothing."""
    shop.product("MUG-1", stock=5)
    cart = shop.cart({"MUG-1": 2})
    order, _ = services._order_create(
        cart=cart,
        key="k",
        email="a@example.com",
        address=Address(full_name="A", line1="1 Road", city="Paris", postcode="75001", country="FR"),
        shipping_method="standard",
        user_id=None,
        expected_total=None,
    )
    assert stock("MUG-1").reserved == 2

    services.order_cancel(number=order.number, by_user_id=None)

    assert (stock("MUG-1").on_hand, stock("MUG-1").reserved) == (5, 0)
    assert DummyGateway.refunds == []


def test_a_delivered_order_is_refunded_through_the_gateway_without_restocking(paid_order, stock):
    """Refunding shipped goods gives the money back; stock comes back only when the warehouse receives it."""
    services.order_mark_fulfilled(number=paid_order.number, by_user_id=None)
    services.order_mark_shipped(number=paid_order.number, tracking_number="T1", by_user_id=None)
    services.order_mark_delivered(number=paid_order.number, by_user_id=None)

    order = services.order_refund(number=paid_order.number, by_user_id=None, reason="Arrived broken")

    assert order.status == "refunded"
    assert [r.amount for r in DummyGateway.refunds] == [Decimal("26.95")]
    assert stock("MUG-1").on_hand == 3


def test_a_shipped_order_cannot_be_cancelled(paid_order):
    """Once shipped, cancel is refused (refund instead) and nothing is refunded."""
    services.order_mark_fulfilled(number=paid_order.number, by_user_id=None)
    services.order_mark_shipped(number=paid_order.number, tracking_number="T1", by_user_id=None)

    with pytest.raises(services.IllegalTransition, match="is shipped and cannot become cancelled"):
        services.order_cancel(number=paid_order.number, by_user_id=None)

    assert DummyGateway.refunds == []


def test_an_order_whose_payment_never_finished_is_cancelled_by_the_sweeper(shop, stock, published):
    """A placed order older than its reservation's lifetime is cancelled and its stock released; newer ones wait."""
    shop.product("MUG-1", stock=5)
    stale, _ = services._order_create(
        cart=shop.cart({"MUG-1": 2}, session_key="a"),
        key="a",
        email="a@example.com",
        address=Address(full_name="A", line1="1 Road", city="Paris", postcode="75001", country="FR"),
        shipping_method="standard",
        user_id=None,
        expected_total=None,
    )
    fresh, _ = services._order_create(
        cart=shop.cart({"MUG-1": 1}, session_key="b"),
        key="b",
        email="b@example.com",
        address=Address(full_name="B", line1="1 Road", city="Paris", postcode="75001", country="FR"),
        shipping_method="standard",
        user_id=None,
        expected_total=None,
    )
    Order.objects.filter(pk=stale.pk).update(placed_at=timezone.now() - timedelta(minutes=16))

    assert cancel_unpaid_orders.delay().get() == 1

    assert dict(Order.objects.values_list("number", "status")) == {stale.number: "cancelled", fresh.number: "placed"}
    assert stock("MUG-1").reserved == 1
    assert published("orders.order_cancelled.v1")[-1]["reason"] == "Payment never completed"
