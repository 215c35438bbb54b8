"""Shopper and staff journeys in a real browser, against the live server on PostgreSQL and Redis.

The catalog is built through the catalog and inventory services, so the events they publish (search
index, stock flags, page and cart caches) are handled after each commit as in production.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from catalog import services as catalog_services
from catalog.models import Variant
from catalog.search import get_backend
from inventory import interface as inventory
from orders.models import Order
from orders.payments import DummyGateway
from tests.e2e.conftest import SCREENSHOTS
from tests.factories.users import PASSWORD, StaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

APPROVED = "4242424242424242"
DECLINED = "4000000000000002"
ADDRESS = {
    "#id_full_name": "Erin Example",
    "#id_line1": "1600 Amphitheatre Pkwy",
    "#id_city": "Mountain View",
    "#id_region": "CA",
    "#id_postcode": "94043",
}


@pytest.fixture
def other_browser(browser, live_server, request):
    """Opens more desktop browser contexts (other people at other computers): `other_browser(role)`
    gives a page of a fresh context, whose last page is saved as <test>-<role>.png."""
    opened = []

    def open_page(role: str) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        other = context.new_page()
        other.set_default_timeout(15000)
        opened.append((role, context, other))
        return other

    yield open_page
    SCREENSHOTS.mkdir(exist_ok=True)
    for role, context, other in opened:
        other.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{role}.png"), full_page=True)
        context.close()


@pytest.fixture
def shop():
    """Headphones in two colours (the typo search's target), earbuds and a kettle, all in stock and indexed."""
    DummyGateway.forget()
    audio = catalog_services.category_create(name="Audio", slug="audio", is_featured=True)
    kitchen = catalog_services.category_create(name="Kitchen", slug="kitchen")
    headphones = catalog_services.product_create(
        name="Bluetooth Headphones", slug="bluetooth-headphones", category=audio, brand="Sonora",
        description="<p>Wireless over-ear headphones with 30 hours of battery.</p>",
    )
    catalog_services.variant_create(product=headphones, sku="HP-BLACK", price="79.00", name="Black",
                                    options={"colour": "Black"}, position=0)
    catalog_services.variant_create(product=headphones, sku="HP-WHITE", price="89.00", name="White",
                                    options={"colour": "White"}, position=1)
    earbuds = catalog_services.product_create(name="Wired Earbuds", slug="wired-earbuds", category=audio,
                                              brand="Sonora", description="<p>Small and light.</p>")
    catalog_services.variant_create(product=earbuds, sku="EB-1", price="19.00")
    kettle = catalog_services.product_create(name="Steel Kettle", slug="steel-kettle", category=kitchen,
                                             brand="Acme", description="<p>Boils a litre in two minutes.</p>")
    catalog_services.variant_create(product=kettle, sku="KT-1", price="35.00")
    for sku in ("HP-BLACK", "HP-WHITE", "EB-1", "KT-1"):
        inventory.receive(sku, 10, reference="opening stock")
    get_backend().index_products([headphones.pk, earbuds.pk, kettle.pk])
    yield
    DummyGateway.forget()


# Steps ---------------------------------------------------------------------------------------------


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0: no horizontal scroll).

    Measured once the page's stylesheets have loaded: a browser shows nothing before (they block
    rendering), but a script may measure the unstyled layout in between.
    """
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def search(page: Page, text: str) -> None:
    page.get_by_role("searchbox", name="Search products").fill(text)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results for “{text}”")


def pick_colour(page: Page, colour: str) -> None:
    page.get_by_role("radio", name=re.compile(rf"^{colour},")).check()
    page.get_by_role("button", name="Show this option").click()


def add_to_cart(page: Page, quantity: int = 1) -> None:
    page.locator("form.add-to-cart").get_by_label("Quantity").fill(str(quantity))
    with page.expect_navigation():
        page.get_by_role("button", name="Add to cart").click()


def cart_lines(page: Page) -> list[tuple[str, str, str]]:
    """(SKU, unit price cell, quantity) of every line on the cart page."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    rows = page.locator("tr.cart-line")
    return [
        (
            rows.nth(i).get_attribute("data-sku"),
            " ".join(rows.nth(i).locator("td.price").inner_text().split()),
            rows.nth(i).locator("input[name=quantity]").input_value(),
        )
        for i in range(rows.count())
    ]


def fill_checkout_details(page: Page, email: str | None = None) -> None:
    if email is not None:
        page.fill("#id_email", email)
    for selector, value in ADDRESS.items():
        page.fill(selector, value)
    page.select_option("#id_country", "US")
    page.get_by_label(re.compile(r"^Standard \(3-5 working days\)")).check()
    page.get_by_role("button", name="Continue to review and payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and pay")


def pay(page: Page, card: str, total: str) -> None:
    page.get_by_label("Name on card").fill("Erin Example")
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Expiry month").fill("12")
    page.get_by_label("Expiry year").fill("2040")
    page.get_by_label("Security code").fill("123")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Place order and pay {total}").click()


# Journeys ------------------------------------------------------------------------------------------


def test_shopper_finds_a_misspelt_product_signs_up_and_pays(page, shop):
    """Home, a typo search, a colour, the cart, sign-up (the cart is kept), checkout: the order is paid
    and listed in the shopper's order history."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to the shop")

    search(page, "bluetoth hedphones")
    results = page.locator(".results .product-card .name")
    expect(results.first).to_have_text("Bluetooth Headphones")
    results.first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bluetooth Headphones")
    pick_colour(page, "White")
    expect(page).to_have_url(re.compile(r"/products/bluetooth-headphones/\?sku=HP-WHITE$"))
    expect(page.locator(".product-info .price")).to_have_text("$89.00")
    add_to_cart(page)
    expect(page.locator(".messages")).to_contain_text("Added 1 x Bluetooth Headphones (White) to your cart.")
    expect(page.locator(".cart-count")).to_have_text("1")

    page.get_by_role("link", name="Sign up").click()
    page.fill("#id_username", "erin")
    page.fill("#id_email", "erin@example.com")
    page.fill("#id_password1", "a-long-and-unusual-passphrase")
    page.fill("#id_password2", "a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".messages")).to_contain_text("Welcome, erin. Your account is ready.")
    expect(page.locator(".messages")).to_contain_text("We added the 1 item you picked before signing in to your cart.")
    expect(page.locator(".cart-count")).to_have_text("1")

    page.locator(".cart-link").click()
    assert cart_lines(page) == [("HP-WHITE", "89.00 USD", "1")]
    page.get_by_role("link", name="Continue to checkout").click()
    expect(page.locator("#id_email")).to_have_value("erin@example.com")
    fill_checkout_details(page)
    pay(page, APPROVED, "96.12 USD")

    order = Order.objects.get()
    expect(page).to_have_url(re.compile(rf"/orders/{order.number}/$"))
    expect(page.locator(".messages")).to_contain_text(f"Thank you! Order {order.number} is confirmed.")
    expect(page.locator(".badge")).to_have_text("Paid")
    expect(page.locator(".order-totals .grand-total")).to_contain_text("96.12 USD")
    assert (order.status, order.user_id, order.total) == (
        "paid", get_user_model().objects.get(username="erin").pk, Decimal("96.12"))
    assert list(order.lines.values_list("sku", "quantity")) == [("HP-WHITE", 1)]

    page.goto("/orders/")
    history = page.locator("table.orders tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text(order.number)
    expect(history.first).to_contain_text("96.12 USD")
    expect(history.first.locator(".badge")).to_have_text("Paid")


def test_the_option_ticked_is_the_one_added_to_the_cart(page, shop):
    """Ticking an option and pressing Add to cart straight away (without "Show this option") adds the
    ticked option, not the one the page was showing."""
    page.goto("/products/bluetooth-headphones/")
    expect(page.locator(".product-info .price")).to_have_text("$79.00")

    page.get_by_role("radio", name=re.compile(r"^White,")).check()
    add_to_cart(page)

    expect(page.locator(".messages")).to_contain_text("Added 1 x Bluetooth Headphones (White) to your cart.")
    page.locator(".cart-link").click()
    assert cart_lines(page) == [("HP-WHITE", "89.00 USD", "1")]


def test_declined_card_shows_the_reason_and_keeps_the_cart(page, shop):
    """Card 4000 0000 0000 0002: the payment step says the card was declined, and the cart still holds
    the same lines."""
    page.goto("/products/bluetooth-headphones/?sku=HP-BLACK")
    add_to_cart(page, quantity=2)
    page.goto("/products/steel-kettle/")
    add_to_cart(page)
    page.locator(".cart-link").click()
    before = cart_lines(page)
    assert before == [("HP-BLACK", "79.00 USD", "2"), ("KT-1", "35.00 USD", "1")]

    page.get_by_role("link", name="Continue to checkout").click()
    fill_checkout_details(page, email="guest@example.com")
    pay(page, DECLINED, "208.44 USD")

    order = Order.objects.get()
    expect(page.get_by_role("alert")).to_have_text(
        f"Your card was declined. Order {order.number} was cancelled; you can pay with another card."
    )
    expect(page.locator(".order-lines tbody tr")).to_have_count(2)
    expect(page.get_by_role("button", name="Place order and pay 208.44 USD")).to_be_visible()
    assert order.status == "cancelled"
    assert DummyGateway.captures == []

    page.get_by_role("link", name="Change your cart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    assert cart_lines(page) == before
    expect(page.locator(".cart-count")).to_have_text("3")


def test_staff_lowers_a_price_in_the_admin_and_shopper_sees_it(page, other_browser, shop):
    """A price lowered in the admin shows at once on the product page (for a visitor without a session
    too, whose page may come whole from the cache), and a cart filled before shows the new price with
    a note of the old one."""
    shopper = other_browser("shopper")
    shopper.goto("/products/bluetooth-headphones/?sku=HP-BLACK")
    add_to_cart(shopper)
    shopper.goto("/cart/")
    assert cart_lines(shopper) == [("HP-BLACK", "79.00 USD", "1")]
    visitor = other_browser("visitor")
    visitor.goto("/products/bluetooth-headphones/?sku=HP-BLACK")
    expect(visitor.locator(".product-info .price")).to_have_text("$79.00")

    staff = StaffFactory(username="sam")
    page.goto("/admin/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Products", exact=True).click()
    page.get_by_role("link", name="Bluetooth Headphones").click()
    black_row = page.locator("tr.form-row", has=page.locator('input[value="HP-BLACK"]'))
    black_row.locator('input[name$="-price"]').fill("69.00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Variant.objects.get(sku="HP-BLACK").price == Decimal("69.00")

    visitor.reload()
    expect(visitor.locator(".product-info .price")).to_have_text("$69.00")
    shopper.reload()
    assert cart_lines(shopper) == [("HP-BLACK", "69.00 USD Price changed from 79.00 USD", "1")]
    expect(shopper.locator(".cart-summary .subtotal")).to_have_text("Subtotal: 69.00 USD")
    page.goto("/products/bluetooth-headphones/?sku=HP-BLACK")
    expect(page.locator(".product-info .price")).to_have_text("$69.00")


def test_journey_pages_fit_a_phone_and_the_cart_buttons_are_reachable(phone, shop):
    """At 390 by 844 the home, search, product, cart and checkout pages scroll only vertically, and the
    add-to-cart button, the header's cart link and the checkout button can be tapped."""
    phone.goto("/")
    assert horizontal_overflow(phone) == 0

    search(phone, "bluetoth hedphones")
    assert horizontal_overflow(phone) == 0
    phone.locator(".results .product-card a", has_text="Bluetooth Headphones").tap()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Bluetooth Headphones")
    assert horizontal_overflow(phone) == 0
    add_button = phone.get_by_role("button", name="Add to cart")
    add_button.scroll_into_view_if_needed()
    expect(add_button).to_be_in_viewport()
    add_button.tap()
    expect(phone.locator(".messages")).to_contain_text("to your cart.")
    assert horizontal_overflow(phone) == 0

    cart_link = phone.locator(".cart-link")
    expect(cart_link).to_be_in_viewport()
    expect(cart_link.locator(".cart-count")).to_have_text("1")
    cart_link.tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your cart")
    assert horizontal_overflow(phone) == 0

    checkout = phone.get_by_role("link", name="Continue to checkout")
    checkout.scroll_into_view_if_needed()
    expect(checkout).to_be_in_viewport()
    checkout.tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Checkout")
    assert horizontal_overflow(phone) == 0
    fill_checkout_details(phone, email="guest@example.com")
    assert horizontal_overflow(phone) == 0
