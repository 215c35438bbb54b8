"""Hot storefront reads come from the cache and are dropped by the catalog's and inventory's events."""

from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, _does_token_match
from django.template import engines
from django.test import RequestFactory

from catalog import services
from ecommerce.events import publish
from tests.factories.catalog import CategoryFactory, ProductFactory, VariantFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamp():
    category = CategoryFactory(slug="lighting", name="Lighting")
    product = ProductFactory(name="Reading Lamp", slug="reading-lamp", category=category, min_price=Decimal("20.00"),
                             in_stock=True)
    variant = VariantFactory(product=product, sku="LAMP-1", price=Decimal("20.00"), in_stock=True)
    return product, variant


def test_a_warm_product_page_needs_no_query(client, lamp, django_assert_num_queries):
    """The second view of a product page by a visitor without a session is the cached page, stock badge
    included (stock events drop it)."""
    client.get("/products/reading-lamp/")

    with django_assert_num_queries(0):
        response = client.get("/products/reading-lamp/")

    assert response.status_code == 200
    assert "Reading Lamp" in response.content.decode()


def test_a_warm_listing_needs_no_query(client, lamp, django_assert_num_queries):
    """The second view of a category page or product list by a visitor without a session is the cached page."""
    client.get("/categories/lighting/")
    client.get("/products/?sort=price")

    with django_assert_num_queries(0):
        assert client.get("/categories/lighting/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/products/?sort=price").status_code == 200


def test_a_price_change_shows_at_once_on_product_and_listing_pages(client, lamp, django_capture_on_commit_callbacks):
    """change_price publishes events whose handlers drop the cached product page and listings."""
    _, variant = lamp
    assert "$20.00" in client.get("/products/reading-lamp/").content.decode()
    assert "$20.00" in client.get("/categories/lighting/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.change_price(variant=variant, new_price="17.50")

    assert '<p class="price">$17.50</p>' in client.get("/products/reading-lamp/").content.decode()
    assert "$17.50" in client.get("/categories/lighting/").content.decode()


def test_a_renamed_product_is_not_served_from_the_cache(client, lamp, django_capture_on_commit_callbacks):
    """product_update publishes product_changed: list and page show the new name, the old slug is gone."""
    product, _ = lamp
    client.get("/products/reading-lamp/")
    client.get("/products/")

    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(product=product, name="Desk Lamp", slug="desk-lamp")

    assert client.get("/products/reading-lamp/").status_code == 404
    assert "Desk Lamp" in client.get("/products/desk-lamp/").content.decode()
    assert "Desk Lamp" in client.get("/products/").content.decode()


def test_a_stock_change_drops_the_cached_product_page(client, lamp, django_capture_on_commit_callbacks):
    """inventory.stock_changed for one of the product's SKUs makes its cached page stale."""
    product, variant = lamp
    client.get("/products/reading-lamp/")
    type(variant).objects.filter(pk=variant.pk).update(in_stock=False)
    assert "(out of stock)" not in client.get("/products/reading-lamp/").content.decode()
    VariantFactory(product=product, sku="LAMP-2", price=Decimal("25.00"), in_stock=True, position=1)

    with django_capture_on_commit_callbacks(execute=True):
        publish("inventory.stock_changed.v1", {"sku": "LAMP-1", "available": 0, "on_hand": 0, "reserved": 0})

    body = client.get("/products/reading-lamp/").content.decode()
    assert '<input type="radio" name="sku" value="LAMP-1"> LAMP-1, $20.00 (out of stock)</label>' in body
    assert '<input type="radio" name="sku" value="LAMP-2" checked> LAMP-2, $25.00</label>' in body


def test_a_signed_in_shoppers_product_page_reuses_the_cached_product_part(client, lamp, django_assert_max_num_queries,
                                                                         django_capture_on_commit_callbacks):
    """With a session, the header is rendered for the shopper while the product's part (stock badge
    included) comes from the cache, and a price change still shows at once."""
    _, variant = lamp
    client.force_login(UserFactory(username="ada"))
    client.get("/products/reading-lamp/")

    with django_assert_max_num_queries(2) as captured:
        body = client.get("/products/reading-lamp/").content.decode()

    assert [q["sql"] for q in captured.captured_queries if "inventory_" in q["sql"] or "catalog_" in q["sql"]] == []
    assert '<span class="who">ada</span>' in body
    assert '<p class="price">$20.00</p>' in body
    with django_capture_on_commit_callbacks(execute=True):
        services.change_price(variant=variant, new_price="17.50")
    assert '<p class="price">$17.50</p>' in client.get("/products/reading-lamp/").content.decode()


def test_a_cached_fragment_carries_each_visitors_own_csrf_token():
    """{% cached_fragment %} renders once; each visitor's copy holds a token valid for their CSRF cookie."""
    fragment = engines["django"].from_string(
        "{% load catalog %}{% cached_fragment key %}<form>{% csrf_token %}</form>{% endcached_fragment %}"
    )
    tokens = []
    for secret in ("a" * 32, "b" * 32):
        request = RequestFactory().get("/")
        request.COOKIES["csrftoken"] = secret
        CsrfViewMiddleware(lambda r: HttpResponse()).process_request(request)
        html = fragment.render({"key": "page:test:fragment"}, request)
        tokens.append((secret, html.split('value="')[1].split('"')[0]))

    assert [_does_token_match(token, secret) for secret, token in tokens] == [True, True]
    assert not _does_token_match(tokens[1][1], tokens[0][0])


def test_a_slug_taken_over_by_another_product_shows_that_product(client, lamp, django_capture_on_commit_callbacks):
    """The cached page of a slug is dropped when its product moves away, and the product that takes the
    slug next is the one shown (the remembered product id for the slug is only a guess)."""
    product, _ = lamp
    client.get("/products/reading-lamp/")
    client.get("/products/reading-lamp/")

    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(product=product, slug="desk-lamp")
    assert client.get("/products/reading-lamp/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        other = ProductFactory(name="Floor Lamp", slug="floor-lamp", category=product.category)
        VariantFactory(product=other, sku="FLOOR-1", price=Decimal("40.00"), in_stock=True)
        services.product_update(product=other, slug="reading-lamp")

    body = client.get("/products/reading-lamp/").content.decode()
    assert "<h1>Floor Lamp</h1>" in body
    assert "<h1>Floor Lamp</h1>" in client.get("/products/reading-lamp/").content.decode()
