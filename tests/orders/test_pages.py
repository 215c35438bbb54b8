"""Checkout and order pages through the browser's eyes: plain forms, no JavaScript."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from catalog import services as catalog_services
from catalog.models import Variant
from inventory import interface as inventory
from orders.models import Order
from orders.payments import DummyGateway
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

DETAILS = {
    "email": "ada@example.com",
    "full_name": "Ada Lovelace",
    "line1": "1600 Amphitheatre Pkwy",
    "city": "Mountain View",
    "region": "CA",
    "postcode": "94043",
    "country": "US",
    "shipping_method": "standard",
}
CARD = {
    "holder": "Ada Lovelace",
    "card_number": "4242 4242 4242 4242",
    "exp_month": "12",
    "exp_year": "2040",
    "cvc": "123",
}


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def to_review(client: Client, details: dict | None = None) -> dict:
    """Fill in step 1, open the review page and return the payment form's hidden fields."""
    response = client.post("/checkout/", details or DETAILS)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get("/checkout/review/").content.decode()
    return {name: hidden(page, name) for name in ("token", "cart_id", "expected_total")}


@pytest.fixture
def guest(shop):
    """A guest with two mugs in the session's cart."""
    shop.product("MUG-1", price="10.00", stock=5, name="Mug")
    client = Client()
    assert client.post("/cart/add/", {"sku": "MUG-1", "quantity": 2}).status_code == 302
    return client


def test_a_guest_checks_out_with_plain_forms_and_sees_the_order(guest):
    """Details, review, pay: the guest lands on the order page with lines, totals, address and timeline."""
    form = to_review(guest)

    response = guest.post("/checkout/review/", form | CARD)

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.number}/"
    assert (order.status, order.email, order.total) == ("paid", "ada@example.com", Decimal("26.95"))
    assert order.payments.get().card_last4 == "4242"
    page = guest.get(response["Location"]).content.decode()
    assert f"Order {order.number}" in page
    assert "Mug" in page and "26.95 USD" in page and "Mountain View" in page
    assert "Placed" in page and "Paid by card ending 4242" in page


def test_with_the_dummy_gateway_the_payment_step_lists_the_test_cards(guest, settings):
    """In development the page names the cards that approve, decline and fail; a real gateway hides them."""
    guest.post("/checkout/", DETAILS)

    dummy = guest.get("/checkout/review/").content.decode()
    settings.PAYMENT_GATEWAY = "tests.orders.test_pages.ProductionGateway"
    real = guest.get("/checkout/review/").content.decode()

    assert "<code>4000000000000002</code> declined" in dummy
    assert "<code>4000000000000119</code> gateway error" in dummy
    assert "Test payments" not in real


class ProductionGateway(DummyGateway):
    name = "acme-payments"


def test_the_checkout_forms_need_a_csrf_token(guest):
    """Without the CSRF token the review form is refused (403) and nothing is ordered."""
    form = to_review(guest)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = guest.cookies

    response = strict.post("/checkout/review/", form | CARD)

    assert response.status_code == 403
    assert Order.objects.count() == 0


def test_the_details_step_offers_the_countries_and_shipping_options_with_their_prices(guest):
    """Step 1 is a plain form: e-mail, address, a country list and the shipping options priced for this cart."""
    response = guest.get("/checkout/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<option value="GB">United Kingdom</option>' in page
    assert "Standard (3-5 working days)" in page and "(4.95 USD; free from 50.00)" in page
    assert "Express (next working day)" in page and "(14.95 USD)" in page


def test_the_address_is_validated_field_by_field(guest):
    """A ZIP code that is not a US one and a missing city are named on the form; nothing moves on."""
    response = guest.post("/checkout/", DETAILS | {"postcode": "ABC", "city": ""})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Not a valid postcode for United States (5 digits, e.g. 94105 or 94105-1234)." in page
    assert "This field is required." in page


def test_an_unlisted_country_is_refused(guest):
    """Only the countries in the list can be chosen."""
    response = guest.post("/checkout/", DETAILS | {"country": "XX"})

    assert "Select a valid choice. XX is not one of the available choices." in response.content.decode()


def test_a_double_submit_of_the_form_makes_one_order_and_one_charge(guest):
    """The same form posted twice (double click, browser retry) lands on the same order, charged once."""
    form = to_review(guest)

    first = guest.post("/checkout/review/", form | CARD)
    second = guest.post("/checkout/review/", form | CARD)

    assert Order.objects.count() == 1
    assert first["Location"] == second["Location"] == f"/orders/{Order.objects.get().number}/"
    assert len(DummyGateway.captures) == 1


def test_a_declined_card_sends_the_shopper_back_to_payment_with_the_reason(guest, stock):
    """Declined: the reason is shown on the payment step, stock is back, and another card then succeeds."""
    form = to_review(guest)

    declined = guest.post("/checkout/review/", form | CARD | {"card_number": "4000000000000002"})

    page = declined.content.decode()
    assert declined.status_code == 409
    assert "Your card was declined." in page
    assert 'name="card_number"' in page
    assert 'value="4000000000000002"' not in page
    assert Order.objects.get().status == "cancelled"
    assert stock("MUG-1").available == 5
    assert DummyGateway.captures == []
    retry = {name: hidden(page, name) for name in ("token", "cart_id", "expected_total")}
    assert retry["token"] != form["token"]

    paid = guest.post("/checkout/review/", retry | CARD)

    assert paid.status_code == 302
    assert list(Order.objects.order_by("id").values_list("status", flat=True)) == ["cancelled", "paid"]
    assert stock("MUG-1").on_hand == 3


def test_a_price_change_before_paying_shows_the_new_total(guest):
    """The catalog price rose after the review page was shown: the shopper sees the new total, nothing is charged."""
    form = to_review(guest)
    catalog_services.change_price(variant=Variant.objects.get(sku="MUG-1"), new_price=Decimal("12.00"))

    response = guest.post("/checkout/review/", form | CARD)

    page = response.content.decode()
    assert response.status_code == 409
    assert "Your new total is 31.27 USD" in page
    assert hidden(page, "expected_total") == "31.27"
    assert Order.objects.count() == 0


def test_an_item_that_sold_out_is_named(guest):
    """Stock sold elsewhere since the cart was filled: the message names the item; nothing is charged."""
    form = to_review(guest)
    inventory.adjust("MUG-1", -4, "damaged")

    response = guest.post("/checkout/review/", form | CARD)

    assert response.status_code == 409
    assert "Mug (you asked for 2, only 1 left)" in response.content.decode()
    assert DummyGateway.captures == []


def test_checkout_with_an_empty_cart_goes_back_to_the_cart():
    """There is nothing to check out without a cart."""
    response = Client().get("/checkout/")

    assert (response.status_code, response["Location"]) == (302, "/cart/")


def test_a_signed_in_shopper_sees_their_orders_newest_first_in_pages(settings):
    """/orders/ lists only the shopper's own orders, newest first, ORDERS_PAGE_SIZE to a page."""
    settings.ORDERS_PAGE_SIZE = 2
    user, other = UserFactory(), UserFactory()
    numbers = [OrderFactory(user=user, number=f"261126-0000000{n}").number for n in range(3)]
    OrderFactory(user=other, number="261126-99999999")
    client = Client()
    client.force_login(user)

    first = client.get("/orders/").content.decode()
    second = client.get("/orders/?page=2").content.decode()

    assert re.findall(r"261126-\d{8}", first) == [numbers[2], numbers[2], numbers[1], numbers[1]]
    assert re.findall(r"261126-\d{8}", second) == [numbers[0], numbers[0]]
    assert "Page 1 of 2" in first


def test_order_history_needs_a_sign_in():
    """Guests are sent to log in (they look orders up by number instead)."""
    response = Client().get("/orders/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_shoppers_order_is_a_404():
    """A shopper cannot see someone else's order, not even that it exists."""
    owner, intruder = UserFactory(), UserFactory()
    order = OrderFactory(user=owner)
    client = Client()
    client.force_login(intruder)

    assert client.get(f"/orders/{order.number}/").status_code == 404
    assert Client().get(f"/orders/{order.number}/").status_code == 404


def test_the_order_page_shows_lines_totals_address_and_timeline(django_assert_max_num_queries):
    """The owner's order page has everything, in a fixed number of queries."""
    user = UserFactory()
    order = OrderFactory(user=user)
    for _ in range(5):
        OrderLineFactory(order=order)
    client = Client()
    client.force_login(user)

    with django_assert_max_num_queries(7):
        response = client.get(f"/orders/{order.number}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<td>2</td>') == 5
    assert "26.95 USD" in page and "SW1Y 4JH" in page and "Order placed" in page


def test_a_guest_finds_an_order_by_number_and_email():
    """Number plus the e-mail (any case) opens the order; a wrong e-mail finds nothing."""
    order = OrderFactory(email="guest@example.com")
    client = Client()

    wrong = client.post("/orders/lookup/", {"number": order.number, "email": "other@example.com"})
    right = client.post("/orders/lookup/", {"number": order.number.lower(), "email": "GUEST@example.com"})

    assert "We found no guest order with that number and e-mail." in wrong.content.decode()
    assert right["Location"] == f"/orders/{order.number}/"
    assert client.get(right["Location"]).status_code == 200


def test_the_order_history_page_costs_the_same_queries_for_few_or_many_orders(django_assert_max_num_queries):
    """A full page of orders (with their item counts) is read in a fixed number of queries."""
    few, many = UserFactory(), UserFactory()
    OrderLineFactory(order=OrderFactory(user=few))
    for _ in range(10):
        OrderLineFactory(order=OrderFactory(user=many))
    clients = {}
    for user in (few, many):
        clients[user] = Client()
        clients[user].force_login(user)

    for user in (few, many):
        with django_assert_max_num_queries(4):
            assert clients[user].get("/orders/").status_code == 200
