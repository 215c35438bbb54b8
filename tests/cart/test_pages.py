"""The cart's storefront: the /cart/ page, add-to-cart without JavaScript, the header count, merge on login."""

import re
from decimal import Decimal

import pytest
from django.template import engines
from django.test import Client

from cart import selectors
from cart.models import Cart, CartLine
from catalog import services as catalog_services
from tests.factories.cart import CartLineFactory, UserCartFactory
from tests.factories.users import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_add_to_cart_redirects_back_with_a_message(client, sellable):
    """The add-to-cart form posts, then returns to the page it came from with a message."""
    sellable("OX-M", "30.00", name="Oxford Shirt", variant_name="M / Blue")

    response = client.post("/cart/add/", {"sku": "OX-M", "quantity": "2", "next": "/products/product-ox-m/"})

    assert (response.status_code, response["Location"]) == (302, "/products/product-ox-m/")
    page = client.get("/cart/")
    assert _messages(page) == ["Added 2 x Oxford Shirt (M / Blue) to your cart."]
    assert [(line.sku, line.quantity, line.unit_price) for line in page.context["cart"].lines] == [
        ("OX-M", 2, Decimal("30.00"))
    ]


def test_add_to_cart_refuses_an_outside_next_and_goes_to_the_cart(client, sellable):
    """A `next` pointing to another site is ignored."""
    sellable("A")

    response = client.post("/cart/add/", {"sku": "A", "next": "https://evil.example/"})

    assert response["Location"] == "/cart/"


def test_add_to_cart_needs_the_csrf_token():
    """Without the CSRF token the POST is refused."""
    response = Client(enforce_csrf_checks=True).post("/cart/add/", {"sku": "A", "quantity": "1"})

    assert response.status_code == 403


def test_add_to_cart_form_posts_sku_quantity_next_and_a_csrf_token(rf):
    """{% add_to_cart_form sku %} renders a POST form to /cart/add/ that comes back to the current page."""
    request = rf.get("/products/mug/?colour=red")

    html = engines["django"].from_string("{% load cart %}{% add_to_cart_form 'A-1' %}").render(request=request)

    assert '<form class="add-to-cart" action="/cart/add/" method="post">' in html
    assert 'name="csrfmiddlewaretoken" value="' in html
    assert '<input type="hidden" name="sku" value="A-1">' in html
    assert '<input type="hidden" name="next" value="/products/mug/?colour=red">' in html
    assert 'name="quantity" type="number" min="1" max="99" value="1"' in html


def test_refused_add_shows_the_reason(client, sellable):
    """Asking for more than is left comes back with the reason."""
    sellable("A", stock=2, name="Mug")

    client.post("/cart/add/", {"sku": "A", "quantity": "5", "next": "/cart/"})
    page = client.get("/cart/")

    assert _messages(page) == ["Only 2 of Mug left."]
    assert page.context["cart"].lines == ()


def test_bad_quantity_is_a_message_not_an_error(client, sellable):
    """A quantity that is not a number from 1 to 99 is explained, not a 500."""
    sellable("A")

    response = client.post("/cart/add/", {"sku": "A", "quantity": "lots"}, follow=True)

    assert response.status_code == 200
    assert _messages(response) == ["Quantity: Enter a whole number."]


def test_cart_page_edits_quantities_removes_and_shows_totals(client, sellable):
    """The page shows lines, badges and the subtotal; quantities can be changed and lines removed."""
    sellable("A", "3.50", stock=3, name="Mug")
    sellable("B", "10.00", stock=50, name="Plate")
    client.post("/cart/add/", {"sku": "A", "quantity": "1"})
    client.post("/cart/add/", {"sku": "B", "quantity": "1"})

    client.post("/cart/lines/A/quantity/", {"quantity": "2"})
    client.post("/cart/lines/B/remove/")
    page = client.get("/cart/")

    html = page.content.decode()
    assert [(line.sku, line.quantity, line.line_total) for line in page.context["cart"].lines] == [
        ("A", 2, Decimal("7.00"))
    ]
    assert "Subtotal: <strong>7.00 USD</strong>" in html
    assert '<span class="badge low" data-sku="A">Only 3 left</span>' in html
    assert 'href="/checkout/"' in html
    assert '<span class="cart-count">2</span>' in html


def test_another_shopper_cannot_change_a_cart_through_the_page(client, sellable):
    """A SKU that is only in someone else's cart is a 404 for update and remove; their cart stays as it was."""
    sellable("A")
    owner = UserFactory()
    cart = UserCartFactory(user=owner)
    CartLineFactory(cart=cart, sku="A", quantity=1)
    client.force_login(UserFactory())

    assert client.post("/cart/lines/A/quantity/", {"quantity": "5"}).status_code == 404
    assert client.post("/cart/lines/A/remove/").status_code == 404
    assert client.get("/cart/").context["cart"] is None
    assert list(CartLine.objects.filter(cart=cart).values_list("sku", "quantity")) == [("A", 1)]


def test_logging_in_merges_the_session_cart_with_a_message(client, sellable):
    """Signing in brings the anonymous cart's lines into the user's cart and says so."""
    sellable("SHARED", stock=5, name="Mug")
    sellable("ONLY-ANON", stock=10)
    user = UserFactory()
    CartLineFactory(cart=UserCartFactory(user=user), sku="SHARED", quantity=3, product_name="Mug")
    client.post("/cart/add/", {"sku": "SHARED", "quantity": "4"})
    client.post("/cart/add/", {"sku": "ONLY-ANON", "quantity": "2"})

    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}, follow=True)

    assert _messages(response)[-1:] == [
        "We added the 6 items you picked before signing in to your cart. Fewer than you picked of Mug: only 5 left."
    ]
    cart = Cart.objects.get(user=user, status=Cart.Status.OPEN)
    assert sorted(cart.lines.values_list("sku", "quantity")) == [("ONLY-ANON", 2), ("SHARED", 5)]
    assert [(line.sku, line.quantity) for line in client.get("/cart/").context["cart"].lines] == [
        ("SHARED", 5), ("ONLY-ANON", 2)
    ]


def test_signing_up_keeps_the_session_cart(client, sellable):
    """A new account takes over the cart the shopper filled before signing up."""
    sellable("A", name="Mug")
    client.post("/cart/add/", {"sku": "A", "quantity": "2"})

    client.post("/accounts/signup/", {"username": "newbie", "email": "n@example.com",
                                      "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"})

    cart = Cart.objects.get(user__username="newbie", status=Cart.Status.OPEN)
    assert list(cart.lines.values_list("sku", "quantity")) == [("A", 2)]
    assert (cart.session_key, Cart.objects.count()) == ("", 1)


def test_header_count_comes_from_the_cache(client, sellable, django_assert_max_num_queries, tables_read):
    """Once the cart is cached, any page's header shows its item count without a cart query."""
    sellable("A")
    client.post("/cart/add/", {"sku": "A", "quantity": "3"})
    client.get("/cart/")

    with django_assert_max_num_queries(20) as captured:
        response = client.get("/")

    assert [table for table in tables_read(captured) if table.startswith("cart_")] == []
    assert '<span class="cart-count">3</span>' in response.content.decode()


def test_header_count_reads_the_database_once_then_the_cache(client, sellable):
    """On a cache miss the count is one query and is then cached; a change shows at once."""
    sellable("A")
    client.post("/cart/add/", {"sku": "A", "quantity": "3"})
    cart_id = Cart.objects.get().pk
    selectors.forget_carts([cart_id])

    assert selectors.cart_item_count(cart_id) == 3
    CartLine.objects.filter(cart_id=cart_id).update(quantity=5)  # behind the cache's back
    assert selectors.cart_item_count(cart_id) == 3
    client.post("/cart/lines/A/quantity/", {"quantity": "4"})
    assert selectors.cart_item_count(cart_id) == 4


def _fill(client, sellable, lines: int) -> None:
    for number in range(lines):
        sellable(f"S-{number:03d}", stock=10)
        client.post("/cart/add/", {"sku": f"S-{number:03d}", "quantity": "1"})


@pytest.mark.parametrize("lines", [1, 50])
def test_cart_page_costs_a_fixed_number_of_queries(client, sellable, django_assert_max_num_queries, tables_read, lines):
    """The cart page issues the same queries for 1 and for 50 lines (cold cache), none for the cart when cached."""
    _fill(client, sellable, lines)
    selectors.forget_carts(Cart.objects.values_list("pk", flat=True))
    selectors.forget_owner(user_id=None, session_key=client.session.session_key)

    # (session,) cart (the one the session changed last), lines, variants with product and category,
    # product images, stock
    with django_assert_max_num_queries(6) as cold_queries:
        cold = client.get("/cart/")
    with django_assert_max_num_queries(1) as warm_queries:  # at most the session
        warm = client.get("/cart/")

    assert tables_read(cold_queries) == [
        "cart_cart", "cart_cartline", "catalog_variant", "catalog_productimage", "inventory_stockitem"
    ]
    assert tables_read(warm_queries) == []
    assert len(cold.context["cart"].lines) == len(warm.context["cart"].lines) == lines


def test_a_cached_cart_closed_meanwhile_is_not_shown_or_changed(client, sellable):
    """A stale cached answer naming a checked-out cart: the page shows no cart and the next add starts a new one."""
    sellable("A")
    user = UserFactory()
    client.force_login(user)
    client.post("/cart/add/", {"sku": "A", "quantity": "1"})
    client.get("/cart/")
    old = Cart.objects.get(user=user)
    Cart.objects.filter(pk=old.pk).update(status=Cart.Status.CHECKED_OUT)  # the cache did not hear of it
    selectors.forget_carts([old.pk])

    assert client.get("/cart/").context["cart"] is None
    client.post("/cart/add/", {"sku": "A", "quantity": "2"})

    new = Cart.objects.get(user=user, status=Cart.Status.OPEN)
    assert new.pk != old.pk
    assert [(line.sku, line.quantity) for line in client.get("/cart/").context["cart"].lines] == [("A", 2)]


def _add_from_product_page(browser: Client, path: str, quantity: str):
    page = browser.get(path)
    html = page.content.decode()
    form = re.search(r'<form class="add-to-cart" action="/cart/add/" method="post">(.*?)</form>', html, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(1)))
    return browser.post("/cart/add/", {**fields, "quantity": quantity})


def test_product_page_add_to_cart_works_without_javascript_with_csrf(sellable):
    """From the product page (cached for visitors), the form's POST passes CSRF and comes back with a message."""
    sellable("OX-M", "30.00", name="Oxford Shirt", variant_name="M / Blue")
    browser = Client(enforce_csrf_checks=True)

    first = _add_from_product_page(browser, "/products/product-ox-m/", "1")  # a visitor without a session
    second = _add_from_product_page(browser, "/products/product-ox-m/?sku=OX-M", "2")  # now with a session

    assert (first.status_code, first["Location"]) == (302, "/products/product-ox-m/")
    assert (second.status_code, second["Location"]) == (302, "/products/product-ox-m/?sku=OX-M")
    page = browser.get(second["Location"])
    assert _messages(page) == ["Added 2 x Oxford Shirt (M / Blue) to your cart."]
    assert '<span class="cart-count">3</span>' in page.content.decode()


def _quantity_token(body: str) -> str:
    form = r'action="/cart/lines/A/quantity/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"'
    return re.search(form, body).group(1)


def test_a_cart_page_kept_for_the_state_of_the_cart_gives_each_view_working_forms(sellable):
    """Viewed again, the cart page is the same page with a fresh CSRF token that its forms accept."""
    sellable("A")
    shopper = Client(enforce_csrf_checks=True)
    shopper.get("/orders/lookup/")
    shopper.post("/cart/add/", {"sku": "A", "quantity": "1", "csrfmiddlewaretoken": shopper.cookies["csrftoken"].value})
    shopper.get("/cart/")  # shows the "Added" message once

    first, second = shopper.get("/cart/"), shopper.get("/cart/")
    updated = shopper.post("/cart/lines/A/quantity/", {"quantity": "4", "csrfmiddlewaretoken": _quantity_token(
        second.content.decode())})

    assert second.templates == []  # not rendered again
    assert re.sub(r'value="[^"]{64}"', "", first.content.decode()) == re.sub(
        r'value="[^"]{64}"', "", second.content.decode())
    assert updated.status_code == 302
    assert CartLine.objects.get(sku="A").quantity == 4


def test_a_kept_cart_page_gives_way_to_changes_and_messages(client, sellable):
    """After a change the page shows the new quantity and the message about it, then is kept again."""
    sellable("A", "10.00")
    client.post("/cart/add/", {"sku": "A", "quantity": "1"})
    client.get("/cart/")
    client.get("/cart/")

    client.post("/cart/lines/A/quantity/", {"quantity": "3"})
    after_change = client.get("/cart/")
    again = client.get("/cart/").content.decode()

    assert _messages(after_change) == ["Your cart is updated."]
    assert after_change.context["cart"].item_count == 3
    assert '<span class="item-count">3</span>' in again
    assert "Your cart is updated." not in again


def test_a_kept_cart_page_names_who_is_viewing_it(client, sellable):
    """The account menu of the page is the viewer's: signing in shows their name on the cart page."""
    sellable("A")
    user = UserFactory(username="grace")
    client.post("/cart/add/", {"sku": "A", "quantity": "1"})
    client.get("/cart/")
    anonymous = client.get("/cart/").content.decode()

    client.post("/accounts/login/", {"username": "grace", "password": PASSWORD})
    client.get("/cart/")  # the message about the merged cart
    signed_in = client.get("/cart/").content.decode()

    assert ("grace" in anonymous, '<span class="who">grace</span>' in signed_in) == (False, True)
    assert Cart.objects.get(user=user, status=Cart.Status.OPEN).lines.get().sku == "A"


def test_a_cart_remembered_by_the_session_must_still_be_the_shoppers(client, sellable):
    """A session naming a cart that is not the shopper's (closed, or another's) gets the shopper's own."""
    sellable("A")
    other = UserCartFactory()
    CartLineFactory(cart=other, sku="A", quantity=7)
    client.post("/cart/add/", {"sku": "A", "quantity": "2"})
    session = client.session
    session["cart.id"] = other.pk
    session.save()

    page = client.get("/cart/")

    assert [(line.sku, line.quantity) for line in page.context["cart"].lines] == [("A", 2)]


@pytest.fixture
def copies_in_another_process(monkeypatch):
    """Cart changes made by another web process or a worker: they cannot drop this process's copies.
    Returns a clock for this process's copies."""
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(selectors._LOCAL_CARTS, "drop", lambda key: None)
    return clock


def test_the_shoppers_own_change_shows_at_once_whichever_process_serves_the_page(
        client, sellable, copies_in_another_process):
    """A copy of the cart kept by this process is not used once the shopper's session changed the cart."""
    sellable("A", "10.00")
    client.post("/cart/add/", {"sku": "A", "quantity": "1"})
    client.get("/cart/")
    client.get("/cart/")

    client.post("/cart/lines/A/quantity/", {"quantity": "5"})
    client.get("/cart/")  # the message
    page = client.get("/cart/").content.decode()

    assert '<span class="item-count">5</span>' in page


def test_a_change_made_elsewhere_shows_within_the_check_interval(
        client, sellable, settings, copies_in_another_process, django_capture_on_commit_callbacks):
    """A price change handled by a worker reaches this process's copy of the cart page in time."""
    variant = sellable("A", "10.00")
    client.post("/cart/add/", {"sku": "A", "quantity": "1"})
    client.get("/cart/")
    client.get("/cart/")
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.change_price(variant=variant, new_price="8.00")

    copies_in_another_process[0] += settings.PAGE_CACHE_TOKEN_CHECK_SECONDS / 2
    within = client.get("/cart/").content.decode()
    copies_in_another_process[0] += settings.PAGE_CACHE_TOKEN_CHECK_SECONDS
    after = client.get("/cart/").content.decode()

    assert ("Price changed" in within, "Price changed from 10.00" in after) == (False, True)
