"""Whole pages cached for visitors without a session: per-visitor parts stay theirs, events drop the pages."""

import base64
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, _does_token_match
from django.template import engines
from django.test import Client, RequestFactory
from prometheus_client import REGISTRY

from catalog import selectors_storefront, services
from ecommerce import page_cache
from ecommerce.events import publish
from tests.factories.catalog import CategoryFactory, ProductFactory, VariantFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

FORM = engines["django"].from_string('<form method="post">{% csrf_token %}</form>')


@pytest.fixture
def lamp():
    category = CategoryFactory(slug="lighting", name="Lighting", is_featured=True)
    product = ProductFactory(name="Reading Lamp", slug="reading-lamp", category=category, min_price=Decimal("20.00"),
                             in_stock=True)
    variant = VariantFactory(product=product, sku="LAMP-1", price=Decimal("20.00"), in_stock=True)
    return product, variant


def _visitor_request(csrf_secret: str):
    request = RequestFactory().get("/form/")
    request.COOKIES["csrftoken"] = csrf_secret
    CsrfViewMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


def _form_token(response: HttpResponse) -> str:
    return response.content.decode().split('value="')[1].split('"')[0]


def test_a_cached_product_page_gives_each_visitor_a_working_add_to_cart_form(lamp):
    """Two visitors get the cached product page; each one's add-to-cart form passes the CSRF check."""
    statuses = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        body = visitor.get("/products/reading-lamp/").content.decode()
        token = body.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        added = visitor.post("/cart/add/", {"sku": "LAMP-1", "quantity": "1", "csrfmiddlewaretoken": token})
        statuses.append((page_cache.CSRF_PLACEHOLDER in body, added.status_code))

    assert statuses == [(False, 302), (False, 302)]


def test_the_csrf_token_in_a_cached_page_matches_each_visitors_cookie():
    """Two visitors get the same cached form, each with a token valid for their own CSRF cookie only."""
    first_secret, second_secret = "a" * 32, "b" * 32
    renders = []

    def render(extra):
        renders.append(extra)
        return HttpResponse(FORM.render(extra))

    first = page_cache.cached_page(_visitor_request(first_secret), "test", "test:token", render)
    second = page_cache.cached_page(_visitor_request(second_secret), "test", "test:token", render)

    assert len(renders) == 1
    assert page_cache.CSRF_PLACEHOLDER not in second.content.decode()
    assert _does_token_match(_form_token(first), first_secret)
    assert _does_token_match(_form_token(second), second_secret)
    assert not _does_token_match(_form_token(second), first_secret)
    assert second["Vary"] == "Cookie"


def test_a_page_without_a_form_sets_no_csrf_cookie(client, lamp):
    """Serving a cached category page (GET forms only) does not hand out a CSRF cookie it does not need."""
    client.get("/categories/lighting/")

    response = client.get("/categories/lighting/")

    assert response.status_code == 200
    assert "csrftoken" not in response.cookies


def test_cached_pages_need_no_query(client, lamp, django_assert_num_queries):
    """The second view of the home, search and product list pages by a visitor without a session is cached."""
    for path in ("/", "/search/?q=lamp", "/api/v1/products/?in_stock=true&ordering=price"):
        client.get(path)

    with django_assert_num_queries(0):
        assert "Reading Lamp" in client.get("/").content.decode()
        assert "Reading Lamp" in client.get("/search/?q=lamp").content.decode()
        assert client.get("/api/v1/products/?ordering=price&in_stock=true").json()["count"] == 1


def test_a_signed_in_shopper_never_gets_the_anonymous_page(client, lamp):
    """A session makes the page render for its owner: the account menu names them."""
    client.get("/products/reading-lamp/")
    client.force_login(UserFactory(username="ada"))

    body = client.get("/products/reading-lamp/").content.decode()

    assert '<span class="who">ada</span>' in body
    assert "Log out" in body


def test_a_price_change_drops_cached_home_search_and_api_answers(client, lamp, django_capture_on_commit_callbacks):
    """catalog.price_changed makes the home page, search page and anonymous API answers stale at once."""
    _, variant = lamp
    for path in ("/", "/search/?q=lamp", "/api/v1/products/"):
        client.get(path)

    with django_capture_on_commit_callbacks(execute=True):
        services.change_price(variant=variant, new_price="17.50")

    assert "$17.50" in client.get("/").content.decode()
    assert "$17.50" in client.get("/search/?q=lamp").content.decode()
    assert client.get("/api/v1/products/").json()["results"][0]["variants"][0]["price"] == "17.50"


def test_a_stock_change_drops_cached_api_answers(client, lamp, django_capture_on_commit_callbacks):
    """Answers show each variant's stock flag, so inventory.stock_changed makes them stale."""
    _, variant = lamp
    client.get("/api/v1/products/")
    type(variant).objects.filter(pk=variant.pk).update(in_stock=False)

    with django_capture_on_commit_callbacks(execute=True):
        publish("inventory.stock_changed.v1", {"sku": "LAMP-1", "available": 0, "on_hand": 0, "reserved": 0})

    assert client.get("/api/v1/products/").json()["results"][0]["variants"][0]["in_stock"] is False


def test_a_renamed_category_shows_at_once(client, lamp):
    """Saving a category drops the cached listing and home pages that name it."""
    product, _ = lamp
    client.get("/categories/lighting/")
    client.get("/")
    category = product.category

    category.name = "Lamps and Lights"
    category.save()

    assert "<h1>Lamps and Lights</h1>" in client.get("/categories/lighting/").content.decode()
    assert "Lamps and Lights" in client.get("/").content.decode()


def test_a_cached_api_answer_is_the_same_answer(client, lamp):
    """The second anonymous request gets the first answer's bytes and headers, parameters in any order."""
    first = client.get("/api/v1/products/?ordering=price&page_size=5")

    second = client.get("/api/v1/products/?page_size=5&ordering=price")

    assert (second.status_code, second.content) == (200, first.content)
    assert (second["Content-Type"], second["Vary"], second["Allow"]) == (
        first["Content-Type"], first["Vary"], first["Allow"]
    )


def test_a_copy_of_a_page_is_served_with_the_headers_of_the_first_answer(client, lamp):
    """Served from the process's copy, the page has the same bytes, security headers and cache rules."""
    first = client.get("/categories/lighting/")

    second = client.get("/categories/lighting/")

    assert (second.status_code, second.content) == (200, first.content)
    for header in ("Content-Type", "Vary", "X-Frame-Options", "X-Content-Type-Options", "Content-Length"):
        assert second[header] == first[header], header
    assert second["X-Request-ID"] != first["X-Request-ID"]


def test_copies_of_pages_count_in_the_request_metrics_under_their_route(client, lamp):
    """A page answered from a copy is counted under its URL name, not as an unmatched request."""
    def served():
        labels = {"method": "GET", "route": "catalog:product_detail", "status": "200"}
        return REGISTRY.get_sample_value("http_requests_total", labels) or 0

    before = served()
    for _ in range(3):
        client.get("/products/reading-lamp/")

    assert served() - before == 3


def test_a_token_replaced_elsewhere_is_seen_within_the_check_interval(client, lamp, settings, monkeypatch):
    """Another process (an event handler in a worker) replacing a page's token: the copy here is
    served until this process reads the token again, then the page is rendered afresh."""
    product, _ = lamp
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    client.get("/products/reading-lamp/")
    type(product).objects.filter(pk=product.pk).update(name="Desk Lamp")
    cache.set(selectors_storefront.product_token_key(product.pk), "replaced-by-a-worker", timeout=None)
    cache.delete(f"catalog:product:{product.slug}")

    clock[0] += settings.PAGE_CACHE_TOKEN_CHECK_SECONDS / 2
    within = client.get("/products/reading-lamp/").content.decode()
    clock[0] += settings.PAGE_CACHE_TOKEN_CHECK_SECONDS
    after = client.get("/products/reading-lamp/").content.decode()

    assert ("Reading Lamp" in within, "Desk Lamp" in after) == (True, True)


def test_copies_of_api_answers_are_still_rate_limited(client, lamp, settings):
    """Anonymous product list answers come from a copy, and still count against the client's rate."""
    settings.API_THROTTLE_RATES = {"anon": "3/min", "user": "100/min"}

    statuses = [client.get("/api/v1/products/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_a_copy_of_an_api_answer_is_kept_per_format(client, lamp):
    """The browsable API and JSON at the same address are different answers."""
    client.get("/api/v1/products/", HTTP_ACCEPT="application/json")

    html = client.get("/api/v1/products/", HTTP_ACCEPT="text/html")
    json_again = client.get("/api/v1/products/", HTTP_ACCEPT="application/json")

    assert html["Content-Type"].startswith("text/html")
    assert json_again.json()["count"] == 1


def test_a_request_with_credentials_is_never_answered_from_a_copy(client, lamp):
    """HTTP Basic credentials make the request a signed-in one: it gets its own answer."""
    UserFactory(username="ada", password="pw-for-ada-1")
    client.get("/api/v1/products/")
    credentials = base64.b64encode(b"ada:pw-for-ada-1").decode()

    answer = client.get("/api/v1/products/", HTTP_AUTHORIZATION=f"Basic {credentials}")
    wrong = client.get("/api/v1/products/", HTTP_AUTHORIZATION="Basic bm9ib2R5Om5vdGhpbmc=")

    assert (answer.status_code, wrong.status_code) == (200, 403)
