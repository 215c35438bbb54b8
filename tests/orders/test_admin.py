"""Staff admin for orders: filters, search, inlines, and actions that go through the services."""

import pytest
from django.test import Client
from django.utils import timezone

from orders.models import Order
from orders.payments import DummyGateway
from tests.factories.orders import OrderFactory, OrderLineFactory, PaymentFactory
from tests.factories.users import StaffFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/orders/order/"


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(StaffFactory())
    return client


def act(client, action: str, orders, **extra):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [o.pk for o in orders], **extra}, follow=True)


def test_staff_filter_by_status_and_paid_and_search_by_email(staff_client):
    """Status and paid filters and an e-mail search each narrow the list to the matching orders."""
    paid = OrderFactory(status="paid", paid_at=timezone.now(), email="rich@example.com")
    placed = OrderFactory(status="placed", email="new@example.com")

    by_status = staff_client.get(CHANGELIST, {"status__exact": "placed"}).content.decode()
    by_paid = staff_client.get(CHANGELIST, {"paid": "yes"}).content.decode()
    by_email = staff_client.get(CHANGELIST, {"q": "rich@"}).content.decode()
    by_number = staff_client.get(CHANGELIST, {"q": placed.number}).content.decode()

    assert placed.number in by_status and paid.number not in by_status
    assert paid.number in by_paid and placed.number not in by_paid
    assert paid.number in by_email and placed.number not in by_email
    assert placed.number in by_number and paid.number not in by_number


def test_the_order_page_shows_lines_history_and_payments_inline(staff_client):
    """Lines, status history and payments are on the order's admin page, read-only."""
    order = OrderFactory(status="paid")
    OrderLineFactory(order=order, sku="MUG-1", product_name="Mug")
    PaymentFactory(order=order, card_last4="4242")

    page = staff_client.get(f"{CHANGELIST}{order.pk}/change/").content.decode()

    assert "Mug" in page and "MUG-1" in page
    assert "Order placed" in page
    assert "4242" in page


def test_mark_fulfilled_goes_through_the_service_and_an_illegal_one_is_reported(staff_client):
    """A paid order becomes fulfilled; a delivered one is refused with the service's message, unchanged."""
    paid = OrderFactory(status="paid")
    delivered = OrderFactory(status="delivered")

    response = act(staff_client, "mark_fulfilled", [paid, delivered])

    page = response.content.decode()
    assert "1 order marked fulfilled." in page
    assert f"Order {delivered.number} is delivered and cannot become fulfilled. It can become: refunded." in page
    assert dict(Order.objects.values_list("number", "status")) == {
        paid.number: "fulfilled",
        delivered.number: "delivered",
    }
    assert paid.history.last().by.is_staff is True


def test_mark_shipped_asks_for_a_tracking_number_first(staff_client):
    """The action shows a form; with a tracking number per order it ships them."""
    order = OrderFactory(status="fulfilled")

    form = act(staff_client, "mark_shipped", [order])
    missing = act(staff_client, "mark_shipped", [order], apply="1")
    shipped = act(staff_client, "mark_shipped", [order], apply="1", **{f"o{order.pk}-tracking_number": "1Z999"})

    assert "Enter the carrier's tracking number for each order." in form.content.decode()
    assert "This field is required." in missing.content.decode()
    assert "1 order marked shipped." in shipped.content.decode()
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == ("shipped", "1Z999")


def test_cancel_and_refund_actions_refund_through_the_gateway(staff_client, shop):
    """Cancelling a paid order and refunding a delivered one each give the money back once."""
    shop.product("MUG-1", stock=5)
    shop.product("TEE-1", stock=5)
    to_cancel = shop.place(shop.cart({"MUG-1": 1}, session_key="a"), key="a", session_key="a").order
    to_refund = shop.place(shop.cart({"TEE-1": 1}, session_key="b"), key="b", session_key="b").order
    Order.objects.filter(pk=to_refund.pk).update(status="delivered", tracking_number="T")

    act(staff_client, "cancel_orders", [to_cancel])
    act(staff_client, "refund_orders", [to_refund])

    assert dict(Order.objects.values_list("number", "status")) == {
        to_cancel.number: "cancelled",
        to_refund.number: "refunded",
    }
    assert len(DummyGateway.refunds) == 2


def test_staff_cannot_edit_an_orders_status_by_hand(staff_client):
    """The status is read-only in the admin: a posted change is ignored."""
    order = OrderFactory(status="placed")

    staff_client.post(f"{CHANGELIST}{order.pk}/change/", {"status": "delivered"})

    order.refresh_from_db()
    assert order.status == "placed"
