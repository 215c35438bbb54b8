"""The catalog interface: the same DTOs in process and over HTTP against the catalog API."""

import socket
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from catalog import http_interface, interface
from tests.factories.catalog import CategoryFactory, ProductFactory, ProductImageFactory, VariantFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["in_process", "http"])
def implementation(request, settings):
    """Run the test against both implementations; the HTTP one calls a live server's catalog API."""
    if request.param == "http":
        live_server = request.getfixturevalue("live_server")
        settings.CATALOG_INTERFACE_URL = f"{live_server.url}/api/v1/"
        settings.CATALOG_INTERFACE_TIMEOUT = 5
    else:
        settings.CATALOG_INTERFACE_URL = ""
    yield request.param
    # Drop kept-alive connections so the live server's threads end and free the test database.
    http_interface._session.close()


@pytest.fixture
def shirt():
    category = CategoryFactory(slug="shirts", name="Shirts")
    product = ProductFactory(slug="oxford", name="Oxford Shirt", brand="Acme", category=category,
                             min_price=Decimal("30.00"), in_stock=True)
    VariantFactory(product=product, sku="OX-M", name="M / Blue", options={"size": "M", "color": "Blue"},
                   price=Decimal("30.00"), compare_at_price=Decimal("40.00"), in_stock=True, position=0)
    VariantFactory(product=product, sku="OX-L", options={"size": "L"}, price=Decimal("32.00"), position=1)
    ProductImageFactory(product=product, alt_text="Oxford")
    return product


def test_product_by_slug_returns_a_frozen_dto_with_variants(implementation, shirt):
    """A product comes back as a frozen DTO with Decimal prices, sorted options and image URLs."""
    info = interface.product_by_slug("oxford")

    assert (info.id, info.name, info.brand, info.category_slug, info.min_price, info.in_stock) == (
        shirt.pk, "Oxford Shirt", "Acme", "shirts", Decimal("30.00"), True
    )
    assert [(v.sku, v.options, v.price, v.compare_at_price, v.in_stock) for v in info.variants] == [
        ("OX-M", (("color", "Blue"), ("size", "M")), Decimal("30.00"), Decimal("40.00"), True),
        ("OX-L", (("size", "L"),), Decimal("32.00"), None, False),
    ]
    assert info.images[0].url == "/media/products/oxford/photo.jpg"
    assert info.variants[0].image_url == "/media/products/oxford/photo.jpg"
    with pytest.raises(AttributeError):
        info.name = "changed"


def test_unknown_or_inactive_product_is_not_found(implementation, shirt):
    """An unknown slug or id, or an inactive product, raises ProductNotFound."""
    ProductFactory(slug="hidden", is_active=False)

    with pytest.raises(interface.ProductNotFound):
        interface.product_by_slug("nope")
    with pytest.raises(interface.ProductNotFound):
        interface.product_by_slug("hidden")
    with pytest.raises(interface.ProductNotFound):
        interface.product_by_id(999_999)


def test_batch_lookups_leave_unknown_keys_out(implementation, shirt):
    """Batch lookups by id and SKU answer what exists; an inactive product's SKU says it is not sold."""
    hidden = ProductFactory(slug="hidden", is_active=False)
    VariantFactory(product=hidden, sku="HID-1")

    products = interface.products_by_ids([shirt.pk, hidden.pk, 999_999])
    variants = interface.variants_by_skus(["OX-L", "HID-1", "NOPE"])

    assert list(products) == [shirt.pk]
    assert sorted(variants) == ["HID-1", "OX-L"]
    assert (variants["OX-L"].product_slug, variants["OX-L"].price, variants["OX-L"].is_active) == (
        "oxford", Decimal("32.00"), True
    )
    assert variants["HID-1"].is_active is False
    assert interface.variant_by_sku("OX-M").name == "M / Blue"


def test_in_process_batch_lookup_costs_a_fixed_number_of_queries(settings, django_assert_max_num_queries):
    """Looking up 3 or 60 SKUs costs the same few queries."""
    settings.CATALOG_INTERFACE_URL = ""
    for count in (3, 60):
        skus = [VariantFactory(product=ProductFactory()).sku for _ in range(count)]
        with django_assert_max_num_queries(3):
            assert len(interface.variants_by_skus(skus)) == count


def _silent_port():
    """A listening socket that never answers: connections succeed, reads time out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    return listener


def test_http_implementation_times_out_with_catalog_unavailable(settings):
    """When the catalog API does not answer, the call gives up after the timeout with CatalogUnavailable."""
    listener = _silent_port()
    settings.CATALOG_INTERFACE_URL = f"http://127.0.0.1:{listener.getsockname()[1]}/api/v1/"
    settings.CATALOG_INTERFACE_TIMEOUT = 0.3
    try:
        started = time.monotonic()
        with pytest.raises(interface.CatalogUnavailable, match="did not answer"):
            interface.variants_by_skus(["A-1"])
        assert time.monotonic() - started < 2
    finally:
        listener.close()


def test_http_implementation_reports_a_5xx_as_unavailable(settings):
    """A 500 from the catalog API raises CatalogUnavailable naming the status."""

    class Failing(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CATALOG_INTERFACE_URL = f"http://127.0.0.1:{server.server_port}/api/v1/"
    try:
        with pytest.raises(interface.CatalogUnavailable, match="answered 500"):
            interface.product_by_slug("oxford")
    finally:
        server.shutdown()
        server.server_close()
