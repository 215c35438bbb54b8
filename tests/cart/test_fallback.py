"""The cart over the catalog's HTTP interface, and when the catalog is dead or slow.

The cart page still renders from the line snapshots within the catalog timeout plus 100 ms, says
prices will be confirmed at checkout, and the circuit breaker stops calling a failing catalog after
its threshold, then lets one request try again after the cool-down.
"""

import socket
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cart import selectors
from cart.breaker import CLOSED, HALF_OPEN, OPEN
from cart.models import Cart
from cart.products import catalog_breaker
from catalog import http_interface
from catalog import services as catalog_services
from catalog.models import Variant

NOTICE = "Prices will be confirmed at checkout."
TIMEOUT = 0.3


class SlowCatalog:
    """An HTTP server that answers nothing for `delay` seconds; counts the requests it receives."""

    def __init__(self, delay: float):
        counter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                counter.hits += 1
                time.sleep(delay)
                self.send_response(500)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.hits = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/v1/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_catalog():
    catalog = SlowCatalog(delay=2.0)
    yield catalog
    catalog.close()


def _closed_port_url() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}/api/v1/"


@pytest.fixture
def filled_cart(client, sellable):
    """A shopper's cart with two lines added while the catalog answered, and the page rendered once."""
    sellable("OX-M", "30.00", name="Oxford Shirt", variant_name="M / Blue")
    sellable("MUG", "4.50", name="Mug")
    client.post("/cart/add/", {"sku": "OX-M", "quantity": "2"})
    client.post("/cart/add/", {"sku": "MUG", "quantity": "1"})
    client.get("/cart/")  # templates compiled, so the timed request measures the fallback
    cart = Cart.objects.get()
    selectors.forget_carts([cart.pk])
    return cart


def _timed_cart_page(client):
    started = time.monotonic()
    response = client.get("/cart/")
    return response, time.monotonic() - started


@pytest.fixture
def live_catalog(live_server, settings):
    """The catalog interface pointed at the live server's catalog API."""
    settings.CATALOG_INTERFACE_URL = f"{live_server.url}/api/v1/"
    settings.CATALOG_INTERFACE_TIMEOUT = 5
    yield live_server
    # Drop the kept-alive connection so the server's request thread ends and frees its database connection.
    http_interface._session.close()


@pytest.mark.django_db(transaction=True)
def test_cart_works_over_http_against_a_live_catalog(client, sellable, live_catalog, settings):
    """With the catalog interface pointed at a live server the cart adds, prices and reprices over HTTP."""
    variant = sellable("OX-M", "30.00", name="Oxford Shirt", variant_name="M / Blue")

    added = client.post("/cart/add/", {"sku": "OX-M", "quantity": "2"}, follow=True)
    catalog_services.change_price(variant=variant, new_price="25.00")
    page = client.get("/cart/")

    assert [str(message) for message in added.context["messages"]] == [
        "Added 2 x Oxford Shirt (M / Blue) to your cart."
    ]
    cart = page.context["cart"]
    assert cart.prices_confirmed is True
    assert [(line.sku, line.unit_price, line.price_when_added, line.price_changed) for line in cart.lines] == [
        ("OX-M", Decimal("25.00"), Decimal("30.00"), True)
    ]
    assert "Price changed from 30.00 USD" in page.content.decode()
    assert catalog_breaker.state() == CLOSED


@pytest.mark.django_db
def test_closed_port_renders_the_cart_from_snapshots_with_the_notice(client, filled_cart, settings):
    """A catalog that refuses connections: /cart/ is 200 from the snapshots, in time, with the notice."""
    settings.CATALOG_INTERFACE_URL = _closed_port_url()
    settings.CATALOG_INTERFACE_TIMEOUT = TIMEOUT

    response, elapsed = _timed_cart_page(client)

    assert response.status_code == 200
    assert elapsed < TIMEOUT + 0.1
    cart = response.context["cart"]
    assert cart.prices_confirmed is False
    assert [(line.sku, line.quantity, line.unit_price, line.product_name) for line in cart.lines] == [
        ("OX-M", 2, Decimal("30.00"), "Oxford Shirt"),
        ("MUG", 1, Decimal("4.50"), "Mug"),
    ]
    assert cart.subtotal == Decimal("64.50")
    assert NOTICE in " ".join(response.content.decode().split())


@pytest.mark.django_db
def test_slow_catalog_times_out_and_the_breaker_stops_calling_it(client, filled_cart, settings, slow_catalog):
    """A catalog sleeping past the timeout: each view is on time; after 3 failures no more calls are made."""
    settings.CATALOG_INTERFACE_URL = slow_catalog.url
    settings.CATALOG_INTERFACE_TIMEOUT = TIMEOUT
    settings.CART_CATALOG_BREAKER_THRESHOLD = 3
    settings.CART_CATALOG_BREAKER_COOLDOWN_SECONDS = 60

    timings = []
    for _ in range(6):
        response, elapsed = _timed_cart_page(client)
        assert (response.status_code, response.context["cart"].prices_confirmed) == (200, False)
        assert NOTICE in " ".join(response.content.decode().split())
        timings.append(elapsed)

    assert slow_catalog.hits == 3
    assert catalog_breaker.state() == OPEN
    assert max(timings) < TIMEOUT + 1.0  # a view that waited for the catalog would take its 2 s
    assert max(timings[3:]) < TIMEOUT  # open: no call, so no view waits out a timeout


@pytest.mark.django_db
def test_breaker_half_opens_after_the_cool_down_and_closes_when_the_catalog_is_back(
    client, filled_cart, settings, slow_catalog
):
    """After the cool-down one request tries the catalog again; once it answers, prices are confirmed."""
    settings.CATALOG_INTERFACE_URL = slow_catalog.url
    settings.CATALOG_INTERFACE_TIMEOUT = TIMEOUT
    settings.CART_CATALOG_BREAKER_THRESHOLD = 2
    settings.CART_CATALOG_BREAKER_COOLDOWN_SECONDS = 0.5
    client.get("/cart/")
    client.get("/cart/")
    assert (slow_catalog.hits, catalog_breaker.state()) == (2, OPEN)

    time.sleep(0.6)
    assert catalog_breaker.state() == HALF_OPEN
    client.get("/cart/")  # the probe fails: open again
    client.get("/cart/")
    assert (slow_catalog.hits, catalog_breaker.state()) == (3, OPEN)

    time.sleep(0.6)
    settings.CATALOG_INTERFACE_URL = ""  # the catalog answers again (in process)
    response = client.get("/cart/")

    assert response.context["cart"].prices_confirmed is True
    assert NOTICE not in " ".join(response.content.decode().split())
    assert catalog_breaker.state() == CLOSED


@pytest.mark.django_db
def test_adding_a_sku_already_seen_works_while_the_catalog_is_down(client, filled_cart, sellable, settings):
    """With the catalog down, a SKU already in a cart can be added from its snapshot; a new one is refused."""
    sellable("NEW", name="Teapot")
    settings.CATALOG_INTERFACE_URL = _closed_port_url()
    settings.CATALOG_INTERFACE_TIMEOUT = TIMEOUT

    seen = client.post("/cart/add/", {"sku": "MUG", "quantity": "2"}, follow=True)
    unseen = client.post("/cart/add/", {"sku": "NEW", "quantity": "1"}, follow=True)

    assert [str(message) for message in seen.context["messages"]] == ["Added 2 x Mug to your cart."]
    assert [str(message) for message in unseen.context["messages"]] == [
        "We can't add this item right now because its details are not available. Please try again shortly."
    ]
    assert [(line.sku, line.quantity) for line in unseen.context["cart"].lines] == [("OX-M", 2), ("MUG", 3)]


@pytest.mark.django_db
def test_a_sku_seen_in_another_cart_can_be_added_while_the_catalog_is_down(client, filled_cart, settings):
    """Another shopper can add a SKU the shop has seen in any cart, priced from that snapshot."""
    settings.CATALOG_INTERFACE_URL = _closed_port_url()
    settings.CATALOG_INTERFACE_TIMEOUT = TIMEOUT
    client.logout()
    Variant.objects.filter(sku="OX-M").update(price=Decimal("99.00"))  # unseen while the catalog is down

    client.post("/cart/add/", {"sku": "OX-M", "quantity": "1"})
    page = client.get("/cart/")

    assert [(line.sku, line.unit_price) for line in page.context["cart"].lines] == [("OX-M", Decimal("30.00"))]
    assert page.context["cart"].id != filled_cart.pk
