"""Orders API: checkout with an Idempotency-Key, one's own orders, staff transitions, OpenAPI."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from cart import interface as cart_interface
from inventory import interface as inventory
from orders import services
from orders.addresses import address_clean
from orders.models import Order
from orders.payments import DummyGateway
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.users import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = {
    "shipping_address": {
        "full_name": "Ada Lovelace",
        "line1": "Unter den Linden 1",
        "city": "Berlin",
        "postcode": "10117",
        "country": "DE",
    },
    "shipping_method": "express",
    "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"},
}


@pytest.fixture
def shopper(shop):
    """A signed-in API client whose cart holds two mugs."""
    user = UserFactory()
    shop.product("MUG-1", price="10.00", stock=5, name="Mug")
    shop.cart({"MUG-1": 2}, user=user)
    client = APIClient()
    client.force_authenticate(user)
    client.user = user
    return client


def test_checkout_through_the_api_creates_a_paid_order(shopper):
    """POST /api/v1/orders/ with a key: 201 and the order, paid, with lines and totals as strings."""
    response = shopper.post("/api/v1/orders/", BODY, format="json", headers={"Idempotency-Key": "k-1"})

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["email"], body["shipping_method"]) == ("paid", shopper.user.email, "express")
    assert (body["subtotal"], body["shipping_cost"], body["tax"], body["total"]) == ("20.00", "14.95", "2.80", "37.75")
    assert body["lines"] == [
        {
            "sku": "MUG-1",
            "product_name": "Mug",
            "variant_name": "",
            "unit_price": "10.00",
            "quantity": 2,
            "line_total": "20.00",
            "currency": "USD",
        }
    ]
    assert [h["to_status"] for h in body["history"]] == ["placed", "paid"]


def test_a_retried_api_call_with_the_same_key_returns_the_same_order(shopper):
    """The second call with one Idempotency-Key answers 200 with the first order; one charge only."""
    first = shopper.post("/api/v1/orders/", BODY, format="json", headers={"Idempotency-Key": "k-1"})
    second = shopper.post("/api/v1/orders/", BODY, format="json", headers={"Idempotency-Key": "k-1"})

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["number"] == second.json()["number"]
    assert Order.objects.count() == 1
    assert len(DummyGateway.captures) == 1


def test_the_same_key_with_a_different_cart_is_a_422(shopper, shop):
    """Reusing a key after the cart changed is refused with a message, and makes no order."""
    shop.product("TEE-1")
    user = shopper.user
    first = shopper.post("/api/v1/orders/", BODY, format="json", headers={"Idempotency-Key": "k-1"})
    shop.cart({"TEE-1": 1}, user=user)

    response = shopper.post("/api/v1/orders/", BODY, format="json", headers={"Idempotency-Key": "k-1"})

    assert first.status_code == 201
    assert response.status_code == 422
    assert response.json() == {
        "detail": "This idempotency key was already used for a different cart; send a new key for a new checkout.",
        "code": "idempotency_key_reused",
    }
    assert Order.objects.count() == 1


def test_checkout_without_an_idempotency_key_is_a_400(shopper):
    """The key is required; the answer says so."""
    response = shopper.post("/api/v1/orders/", BODY, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert Order.objects.count() == 0


def test_a_bad_postcode_and_card_are_named(shopper):
    """Invalid input is a 400 naming each field."""
    body = BODY | {
        "shipping_address": BODY["shipping_address"] | {"postcode": "1234"},
        "card": BODY["card"] | {"number": "4242424242424241"},
    }

    response = shopper.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": "k"})

    assert response.status_code == 400
    assert response.json() == {
        "shipping_address": {"postcode": ["Not a valid postcode for Germany (5 digits, e.g. 10115)."]},
        "card": {"number": ["This is not a valid card number."]},
    }


def test_a_declined_card_is_a_402_with_the_reason(shopper, stock):
    """Declined: 402, the cancelled order with its reason, stock back, nothing captured."""
    body = BODY | {"card": BODY["card"] | {"number": "4000000000000002"}}

    response = shopper.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": "k"})

    assert response.status_code == 402
    assert (response.json()["status"], response.json()["payment_failure"]) == ("cancelled", "Your card was declined.")
    assert stock("MUG-1").available == 5
    assert DummyGateway.captures == []


def test_out_of_stock_is_a_409_naming_the_item(shopper):
    """Not enough stock: 409 with the item's name and what is left."""
    inventory.adjust("MUG-1", -5, "counted")

    response = shopper.post("/api/v1/orders/", BODY, format="json", headers={"Idempotency-Key": "k"})

    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
    assert response.json()["items"] == [{"sku": "MUG-1", "name": "Mug", "requested": 2, "available": 0}]


def test_a_wrong_expected_total_is_a_409_with_the_new_total(shopper):
    """The agreed total no longer holds: 409 with the new total, nothing charged."""
    body = BODY | {"expected_total": "30.00"}

    response = shopper.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": "k"})

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["new_total"]) == ("price_changed", "37.75")
    assert DummyGateway.captures == []


def test_shoppers_list_and_read_only_their_own_orders(django_assert_max_num_queries):
    """The list holds the caller's orders only, newest first; another's order is a 404."""
    user, other = UserFactory(), UserFactory()
    mine = [OrderFactory(user=user) for _ in range(3)]
    for order in mine:
        OrderLineFactory(order=order)
    theirs = OrderFactory(user=other)
    client = APIClient()
    client.force_authenticate(user)

    with django_assert_max_num_queries(6):
        listing = client.get("/api/v1/orders/")

    assert [o["number"] for o in listing.json()["results"]] == [o.number for o in reversed(mine)]
    assert client.get(f"/api/v1/orders/{mine[0].number}/").status_code == 200
    assert client.get(f"/api/v1/orders/{theirs.number}/").status_code == 404
    assert APIClient().get("/api/v1/orders/").status_code == 403


def test_staff_move_an_order_through_the_services_and_an_illegal_move_is_a_409():
    """Staff ship a fulfilled order with a tracking number; delivered -> paid-like moves are refused clearly."""
    staff = StaffFactory()
    order = OrderFactory(status="fulfilled")
    delivered = OrderFactory(status="delivered")
    client = APIClient()
    client.force_authenticate(staff)

    shipped = client.post(
        f"/api/v1/orders/{order.number}/transitions/", {"to": "shipped", "tracking_number": "TRK1"}, format="json"
    )
    illegal = client.post(f"/api/v1/orders/{delivered.number}/transitions/", {"to": "fulfilled"}, format="json")

    assert shipped.status_code == 200
    assert (shipped.json()["status"], shipped.json()["tracking_number"]) == ("shipped", "TRK1")
    assert shipped.json()["history"][-1]["by"] == staff.username
    assert illegal.status_code == 409
    assert illegal.json() == {
        "detail": f"Order {delivered.number} is delivered and cannot become fulfilled. It can become: refunded.",
        "code": "illegal_transition",
    }
    delivered.refresh_from_db()
    assert delivered.status == "delivered"


def test_shoppers_cannot_move_orders():
    """Transitions are for staff only."""
    user = UserFactory()
    order = OrderFactory(user=user, status="paid")
    client = APIClient()
    client.force_authenticate(user)

    response = client.post(f"/api/v1/orders/{order.number}/transitions/", {"to": "fulfilled"}, format="json")

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == "paid"


def test_the_openapi_schema_describes_the_orders_endpoints():
    """drf-spectacular documents checkout with its Idempotency-Key header and its answers."""
    schema = APIClient().get("/api/schema/?format=json").json()

    create = schema["paths"]["/api/v1/orders/"]["post"]
    assert [p["name"] for p in create["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
    assert set(create["responses"]) == {"200", "201", "400", "402", "409", "422"}
    assert "/api/v1/orders/{number}/transitions/" in schema["paths"]


def test_totals_are_decimal_strings_in_the_refund_path(shopper):
    """A staff refund of an API order gives back exactly the total charged."""
    order = shopper.post("/api/v1/orders/", BODY, format="json", headers={"Idempotency-Key": "k"}).json()
    staff = APIClient()
    staff.force_authenticate(StaffFactory())

    response = staff.post(f"/api/v1/orders/{order['number']}/transitions/", {"to": "refunded"}, format="json")

    assert response.json()["status"] == "refunded"
    assert [r.amount for r in DummyGateway.refunds] == [Decimal(order["total"])]


def test_a_guest_checks_out_the_sessions_cart_through_the_api(shop):
    """A guest with a session cart (and an e-mail) gets a paid order; without an e-mail a 400 says why."""
    shop.product("MUG-1", price="10.00", stock=5)
    client = APIClient()
    client.post("/cart/add/", {"sku": "MUG-1", "quantity": 1})

    no_email = client.post("/api/v1/orders/", BODY, format="json", headers={"Idempotency-Key": "g"})
    placed = client.post(
        "/api/v1/orders/", BODY | {"email": "guest@example.com"}, format="json", headers={"Idempotency-Key": "g"}
    )
    again = client.post(
        "/api/v1/orders/", BODY | {"email": "guest@example.com"}, format="json", headers={"Idempotency-Key": "g"}
    )

    assert (no_email.status_code, no_email.json()["code"]) == (400, "email_missing")
    assert (placed.status_code, placed.json()["email"], placed.json()["status"]) == (201, "guest@example.com", "paid")
    assert (again.status_code, again.json()["number"]) == (200, placed.json()["number"])
    assert len(DummyGateway.captures) == 1


def test_a_retry_after_the_first_request_died_before_paying_finishes_the_payment_once(shopper):
    """The order was placed but its request died before charging: the retry with the same key charges it, once."""
    user = shopper.user
    cart = cart_interface.open_cart(user_id=user.pk, session_key=None)
    order, _ = services._order_create(
        cart=cart,
        key=f"api:{user.pk}:k-1",
        email=user.email,
        address=address_clean(BODY["shipping_address"]),
        shipping_method="express",
        user_id=user.pk,
        expected_total=None,
    )

    retried = shopper.post("/api/v1/orders/", BODY, format="json", headers={"Idempotency-Key": "k-1"})
    again = shopper.post("/api/v1/orders/", BODY, format="json", headers={"Idempotency-Key": "k-1"})

    assert (retried.status_code, retried.json()["number"], retried.json()["status"]) == (200, order.number, "paid")
    assert (again.status_code, again.json()["status"]) == (200, "paid")
    assert len(DummyGateway.captures) == 1
