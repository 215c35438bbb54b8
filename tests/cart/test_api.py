"""The cart API: the shopper's own cart by session or authenticated user, with clear 400s and 404s."""

import base64
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from cart import selectors
from cart.models import Cart, CartLine
from tests.factories.cart import CartLineFactory, UserCartFactory
from tests.factories.users import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_empty_cart_reads_as_an_empty_cart(api):
    """A shopper without a cart gets an empty one back, not an error."""
    response = api.get("/api/v1/cart/")

    assert response.status_code == 200
    assert response.json() == {
        "id": None, "status": "open", "lines": [], "subtotal": "0.00", "item_count": 0, "currency": "USD",
        "prices_confirmed": True, "version": selectors.lines_version([]),
    }


def test_add_update_and_remove_lines_in_a_session_cart(api, sellable):
    """Add, update and remove work for an anonymous shopper whose session keeps the cart."""
    sellable("OX-M", "30.00", name="Oxford Shirt", variant_name="M / Blue")
    sellable("MUG", "4.50")

    added = api.post("/api/v1/cart/lines/", {"sku": "OX-M", "quantity": 2}, format="json")
    api.post("/api/v1/cart/lines/", {"sku": "MUG"}, format="json")
    updated = api.patch("/api/v1/cart/lines/MUG/", {"quantity": 3}, format="json")
    removed = api.delete("/api/v1/cart/lines/OX-M/")

    assert added.status_code == 201
    assert added.json()["lines"] == [{
        "sku": "OX-M", "quantity": 2, "unit_price": "30.00", "price_when_added": "30.00", "price_changed": False,
        "currency": "USD", "product_name": "Oxford Shirt", "variant_name": "M / Blue", "product_slug": "product-ox-m",
        "image_url": "", "line_total": "60.00", "available": 10,
    }]
    assert [(line["sku"], line["quantity"]) for line in updated.json()["lines"]] == [("OX-M", 2), ("MUG", 3)]
    body = removed.json()
    assert ([(line["sku"], line["quantity"]) for line in body["lines"]], body["subtotal"], body["item_count"]) == (
        [("MUG", 3)], "13.50", 3
    )
    assert api.get("/api/v1/cart/").json() == body


def test_clear_empties_the_cart(api, sellable):
    """DELETE on the cart removes every line."""
    sellable("A")
    api.post("/api/v1/cart/lines/", {"sku": "A"}, format="json")

    response = api.delete("/api/v1/cart/")

    assert (response.status_code, response.json()["lines"]) == (200, [])


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"sku": "A", "quantity": 0}, {"detail": "quantity: Ensure this value is greater than or equal to 1.",
                                       "errors": {"quantity": ["Ensure this value is greater than or equal to 1."]}}),
        ({"sku": "A", "quantity": 100}, {"detail": "quantity: Ensure this value is less than or equal to 99.",
                                         "errors": {"quantity": ["Ensure this value is less than or equal to 99."]}}),
        ({"sku": "A", "quantity": "two"}, {"detail": "quantity: A valid integer is required.",
                                           "errors": {"quantity": ["A valid integer is required."]}}),
        ({"quantity": 1}, {"detail": "sku: This field is required.", "errors": {"sku": ["This field is required."]}}),
        ({"sku": "A", "quantity": 4}, {"detail": "Only 3 of Mug left."}),
        ({"sku": "NOPE", "quantity": 1}, {"detail": "We don't sell an item with the code 'NOPE'."}),
    ],
)
def test_refused_changes_are_400_with_the_reason(api, sellable, payload, expected):
    """Bad input and refused changes answer 400 with a message that says what is wrong."""
    sellable("A", stock=3, name="Mug")

    response = api.post("/api/v1/cart/lines/", payload, format="json")

    assert (response.status_code, response.json()) == (400, expected)


def test_updating_beyond_stock_is_400(api, sellable):
    """Setting a quantity above what is available is refused with the count left."""
    sellable("A", stock=3, name="Mug")
    api.post("/api/v1/cart/lines/", {"sku": "A"}, format="json")

    response = api.patch("/api/v1/cart/lines/A/", {"quantity": 9}, format="json")

    assert (response.status_code, response.json()) == (400, {"detail": "Only 3 of Mug left."})


def test_an_authenticated_user_uses_their_own_cart(api, sellable):
    """A user authenticated over HTTP Basic reads and changes the cart of their account."""
    sellable("A")
    user = UserFactory()
    CartLineFactory(cart=UserCartFactory(user=user), sku="A", quantity=2)
    api.credentials(HTTP_AUTHORIZATION=_basic(user.username, PASSWORD))

    response = api.post("/api/v1/cart/lines/", {"sku": "A", "quantity": 1}, format="json")

    assert [(line["sku"], line["quantity"]) for line in response.json()["lines"]] == [("A", 3)]


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_another_shopper_can_neither_read_nor_change_a_cart(api, sellable):
    """Another shopper sees only their own (empty) cart; changing a line of someone else's cart is a 404."""
    sellable("A")
    cart = UserCartFactory()
    CartLineFactory(cart=cart, sku="A", quantity=2)
    api.force_authenticate(UserFactory())

    read = api.get("/api/v1/cart/")
    update = api.patch("/api/v1/cart/lines/A/", {"quantity": 1}, format="json")
    remove = api.delete("/api/v1/cart/lines/A/")
    api.post("/api/v1/cart/lines/", {"sku": "A"}, format="json")
    own_remove = api.delete("/api/v1/cart/lines/A/")
    again = api.delete("/api/v1/cart/lines/A/")

    assert (read.json()["id"], read.json()["lines"]) == (None, [])
    assert (update.status_code, update.json()) == (404, {"detail": "You have no cart yet."})
    assert remove.status_code == 404
    assert own_remove.status_code == 200
    assert (again.status_code, again.json()) == (404, {"detail": "Your cart has no item with the code 'A'."})
    assert list(CartLine.objects.filter(cart=cart).values_list("sku", "quantity")) == [("A", 2)]


@pytest.mark.parametrize("lines", [1, 50])
def test_cart_api_costs_a_fixed_number_of_queries(api, sellable, django_assert_max_num_queries, tables_read, lines):
    """GET /api/v1/cart/ issues the same queries for 1 and 50 lines, and none for the cart once cached."""
    for number in range(lines):
        sellable(f"S-{number:03d}", stock=10)
        api.post("/api/v1/cart/lines/", {"sku": f"S-{number:03d}"}, format="json")
    selectors.forget_carts(Cart.objects.values_list("pk", flat=True))
    selectors.forget_owner(user_id=None, session_key=api.session.session_key)

    # (session,) cart (the one the session changed last), lines, variants with product and category,
    # product images, stock
    with django_assert_max_num_queries(6) as cold_queries:
        cold = api.get("/api/v1/cart/")
    with django_assert_max_num_queries(1) as warm_queries:  # at most the session
        warm = api.get("/api/v1/cart/")

    assert tables_read(cold_queries) == [
        "cart_cart", "cart_cartline", "catalog_variant", "catalog_productimage", "inventory_stockitem"
    ]
    assert tables_read(warm_queries) == []
    assert len(cold.json()["lines"]) == len(warm.json()["lines"]) == lines
    assert Decimal(warm.json()["subtotal"]) == Decimal("10.00") * lines


def test_the_cart_api_is_in_the_openapi_schema(client):
    """The schema documents the cart endpoints and their error shape."""
    response = client.get("/api/schema/", {"format": "json"})

    paths = response.json()["paths"]
    assert sorted(path for path in paths if path.startswith("/api/v1/cart")) == [
        "/api/v1/cart/", "/api/v1/cart/lines/", "/api/v1/cart/lines/{sku}/",
    ]
    assert sorted(paths["/api/v1/cart/lines/"]["post"]["responses"]) == ["201", "400"]
    assert sorted(paths["/api/v1/cart/lines/{sku}/"]) == ["delete", "patch"]
    assert sorted(paths["/api/v1/cart/lines/{sku}/"]["patch"]["responses"]) == ["200", "400", "404"]


def test_clearing_without_a_cart_reads_as_an_empty_cart(api):
    """DELETE on the cart of a shopper who has none answers with the empty cart."""
    response = api.delete("/api/v1/cart/")

    assert (response.status_code, response.json()["id"], response.json()["lines"]) == (200, None, [])
