"""Security, as an attacker would try it: forged POSTs, staff-only doors, other shoppers' objects,
hostile file names and hostile text.

Ownership of carts and orders is also covered where each context is tested (tests/cart/test_api.py,
tests/cart/test_pages.py, tests/orders/test_pages.py, tests/orders/test_api.py); this module checks
the rules across the whole site.
"""

import io
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from catalog.services import product_image_add
from inventory import interface as inventory
from orders.models import Order
from tests.factories.catalog import ProductFactory, VariantFactory
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.users import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

STOREFRONT_POSTS = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/logout/",
    "/cart/add/",
    "/cart/clear/",
    "/cart/lines/SKU-1/quantity/",
    "/cart/lines/SKU-1/remove/",
    "/checkout/",
    "/checkout/review/",
    "/orders/lookup/",
]


@pytest.mark.parametrize("url", STOREFRONT_POSTS)
def test_storefront_posts_without_a_csrf_token_are_refused(url):
    """Every form endpoint of the storefront refuses a POST that carries no CSRF token (403)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post(url, {"sku": "SKU-1", "quantity": "1"})
    assert response.status_code == 403


def _admin_changelists() -> list[str]:
    return [f"/admin/{model._meta.app_label}/{model._meta.model_name}/" for model in admin.site._registry]


@pytest.mark.parametrize("url", ["/admin/", *_admin_changelists()])
def test_admin_refuses_shoppers(client, url):
    """A signed-in shopper who is not staff is sent to the admin's login page, for every admin page."""
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.fixture
def staff_objects():
    variant = VariantFactory(sku="SEC-1", product=ProductFactory(slug="secure-lamp"))
    order = OrderFactory(number="261126-00000777", user=UserFactory(), status=Order.Status.PAID)
    OrderLineFactory(order=order)
    return variant, order


STAFF_API = [
    ("post", "/api/v1/products/", {"name": "Hijack", "category": "x"}),
    ("patch", "/api/v1/products/secure-lamp/", {"name": "Hijacked"}),
    ("post", "/api/v1/products/secure-lamp/variants/", {"sku": "NEW-1", "price": "1.00"}),
    ("patch", "/api/v1/variants/SEC-1/", {"price": "0.01"}),
    ("post", "/api/v1/inventory/SEC-1/receive/", {"quantity": 1000}),
    ("post", "/api/v1/inventory/SEC-1/adjust/", {"delta": -5, "reason": "adjusted"}),
    ("post", "/api/v1/orders/261126-00000777/transitions/", {"to": "fulfilled"}),
]


@pytest.mark.parametrize(("method", "url", "body"), STAFF_API)
def test_staff_api_refuses_shoppers_and_anonymous_callers(staff_objects, method, url, body):
    """Staff-only API writes answer 403 to a shopper and 401/403 to an anonymous caller, changing nothing."""
    before = _staff_visible_state(*staff_objects)
    shopper = Client()
    shopper.force_login(UserFactory())
    anonymous = Client()

    as_shopper = getattr(shopper, method)(url, body, content_type="application/json")
    as_anonymous = getattr(anonymous, method)(url, body, content_type="application/json")

    assert as_shopper.status_code == 403
    assert as_anonymous.status_code in (401, 403)
    assert _staff_visible_state(*staff_objects) == before


def _staff_visible_state(variant, order) -> tuple:
    variant.refresh_from_db()
    order.refresh_from_db()
    stock = inventory.availability([variant.sku])[variant.sku]
    return (variant.price, variant.product.name, variant.product.variants.count(), stock.on_hand, order.status)


def test_staff_api_accepts_staff(staff_objects, client):
    """The same doors open for staff, so the refusals above are about who asks."""
    client.force_login(StaffFactory())
    response = client.post("/api/v1/orders/261126-00000777/transitions/", {"to": "fulfilled"},
                           content_type="application/json")
    assert response.status_code == 200


def test_another_shoppers_order_is_a_404_on_page_and_api():
    """Shopper B asking for shopper A's order by number gets a 404 from the page and the API alike."""
    owner, intruder = UserFactory(), UserFactory()
    order = OrderFactory(user=owner)
    client = Client()
    client.force_login(intruder)
    assert client.get(f"/orders/{order.number}/").status_code == 404
    assert client.get(f"/api/v1/orders/{order.number}/").status_code == 404


def _png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize("name", ["../../../etc/passwd.png", "..\\..\\evil.png", "/abs/path.png", "a/../../b.png"])
def test_uploaded_file_names_cannot_escape_the_media_root(settings, name):
    """Whatever path an upload claims, it is stored under the product's folder inside the media root."""
    product = ProductFactory(slug="safe-lamp")
    image = product_image_add(product=product, upload=_png(name))
    stored = Path(image.image.path).resolve()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    assert stored.is_relative_to(media_root / "products" / "safe-lamp")
    assert ".." not in image.image.name


SCRIPT = "<script>alert('x')</script>"


def test_hostile_product_text_is_escaped_on_listing_detail_and_search(client):
    """A product name and description carrying markup reach the shopper as text, never as live HTML."""
    product = ProductFactory(name=f"Lamp {SCRIPT}", slug="hostile-lamp",
                             description=f"<p>Bright</p><img src=x onerror=alert(1)>{SCRIPT}")
    VariantFactory(product=product)

    for url in ("/products/", "/products/hostile-lamp/", "/search/?q=Lamp"):
        body = client.get(url).content.decode()
        assert SCRIPT not in body, url
        assert "onerror=alert" not in body, url
    assert "&lt;script&gt;" in client.get("/products/hostile-lamp/").content.decode()


def test_a_search_query_is_reflected_escaped(client):
    """What a visitor typed into the search box is shown back as text."""
    body = client.get("/search/", {"q": SCRIPT}).content.decode()
    assert SCRIPT not in body
    assert "&lt;script&gt;" in body


def test_hostile_address_text_is_escaped_on_the_order_page(client):
    """A shopper's own address fields are escaped when shown back on the order page."""
    shopper = UserFactory()
    order = OrderFactory(user=shopper, shipping_address={
        "full_name": SCRIPT, "line1": "<b>1</b> Street", "line2": "", "city": "London", "region": "",
        "postcode": "SW1A 1AA", "country": "GB", "phone": "",
    })
    OrderLineFactory(order=order, product_name=f"Thing {SCRIPT}")
    client.force_login(shopper)
    body = client.get(f"/orders/{order.number}/").content.decode()
    assert SCRIPT not in body
    assert "<b>1</b>" not in body


def test_login_form_does_not_reveal_whether_an_account_exists(client):
    """A wrong password and an unknown user give the same answer."""
    UserFactory(username="known")
    wrong_password = client.post("/accounts/login/", {"username": "known", "password": "nope"}).content.decode()
    unknown_user = client.post("/accounts/login/", {"username": "ghost", "password": PASSWORD}).content.decode()
    marker = "Please enter a correct username and password"
    assert marker in wrong_password
    assert marker in unknown_user
