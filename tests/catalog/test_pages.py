"""Storefront pages of the catalog: product list, category, product detail, search and home sections."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import PriceHistory, Product
from tests.factories.catalog import (
    CategoryFactory,
    PriceHistoryFactory,
    ProductFactory,
    ProductImageFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    """Two categories under one root, three active products and an inactive one."""
    audio = CategoryFactory(slug="audio", name="Audio", is_featured=True)
    headphones = CategoryFactory(slug="headphones", name="Headphones", parent=audio)
    speakers = CategoryFactory(slug="speakers", name="Speakers", parent=audio)
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    return {
        "audio": audio,
        "headphones": headphones,
        "speakers": speakers,
        "kitchen": kitchen,
        "quiet": ProductFactory(name="Quiet Headphones", slug="quiet-headphones", brand="Sony", category=headphones,
                                min_price=Decimal("30.00"), in_stock=True),
        "loud": ProductFactory(name="Loud Speaker", slug="loud-speaker", brand="Bose", category=speakers,
                               min_price=Decimal("120.00"), in_stock=False),
        "kettle": ProductFactory(name="Steel Kettle", slug="steel-kettle", brand="Acme", category=kitchen,
                                 min_price=Decimal("20.00"), in_stock=True),
        "hidden": ProductFactory(name="Hidden Headphones", slug="hidden-headphones", brand="Sony",
                                 category=headphones, min_price=Decimal("25.00"), is_active=False),
    }


def card_names(response) -> list[str]:
    return [card.name for card in response.context["listing"].cards]


def test_product_list_shows_active_products_newest_first_with_facets(client, shop):
    """/products/ lists every active product, newest first, with counts per category, brand and band."""
    response = client.get("/products/")

    assert response.status_code == 200
    assert card_names(response) == ["Steel Kettle", "Loud Speaker", "Quiet Headphones"]
    facets = response.context["facets"]
    assert [(c.slug, c.count) for c in facets.category] == [("headphones", 1), ("kitchen", 1), ("speakers", 1)]
    assert [(b.brand, b.count) for b in facets.brand] == [("Acme", 1), ("Bose", 1), ("Sony", 1)]
    assert [(b.key, b.count) for b in facets.price_band] == [
        ("0-25", 1), ("25-50", 1), ("50-100", 0), ("100-250", 1), ("250-500", 0), ("500-", 0)]
    assert facets.in_stock == 2
    body = response.content.decode()
    assert "3 products" in body
    assert 'href="/products/quiet-headphones/"' in body
    assert "Hidden Headphones" not in body


def test_product_list_filters_sorts_and_pages(client, shop):
    """Brand, price band and in-stock filters combine; price sorts ascending; pages hold 24 cards."""
    response = client.get("/products/", {"brand": ["Sony", "Acme"], "in_stock": "1", "sort": "price"})
    assert card_names(response) == ["Steel Kettle", "Quiet Headphones"]

    response = client.get("/products/", {"price": "100-250"})
    assert card_names(response) == ["Loud Speaker"]

    ProductFactory.create_batch(24, category=shop["kitchen"], min_price=Decimal("5.00"))
    second = client.get("/products/", {"page": "2", "sort": "-price"})
    assert second.status_code == 200
    assert second.context["result"].total == 27
    assert len(second.context["listing"].cards) == 3
    assert 'rel="prev" href="?page=1&amp;sort=-price"' in second.content.decode()


def test_category_page_lists_its_subtree_with_breadcrumbs_and_children(client, shop):
    """A parent category shows the products of its children; breadcrumbs and child links are there."""
    response = client.get("/categories/audio/")

    assert response.status_code == 200
    assert card_names(response) == ["Loud Speaker", "Quiet Headphones"]
    body = response.content.decode()
    assert '<span aria-current="page">Audio</span>' in body
    assert '<a href="/categories/headphones/">Headphones</a>' in body

    leaf = client.get("/categories/headphones/")
    assert card_names(leaf) == ["Quiet Headphones"]
    assert '<a href="/categories/audio/">Audio</a>' in leaf.content.decode()


def test_unknown_category_is_a_404(client, shop):
    """A category slug nobody uses answers 404."""
    assert client.get("/categories/no-such-thing/").status_code == 404


def test_product_page_shows_variants_prices_stock_and_breadcrumbs(client, shop):
    """The product page has a radio per variant, the selected variant's price and availability,
    and breadcrumbs down the category tree."""
    product = shop["quiet"]
    VariantFactory(product=product, sku="QH-BLK", price=Decimal("30.00"), options={"color": "Black"}, in_stock=True)
    VariantFactory(product=product, sku="QH-WHT", price=Decimal("34.50"), options={"color": "White"}, position=1)

    response = client.get("/products/quiet-headphones/")

    assert response.status_code == 200
    body = response.content.decode()
    assert '<input type="radio" name="sku" value="QH-BLK" checked> Black, $30.00</label>' in body
    assert '<input type="radio" name="sku" value="QH-WHT"> White, $34.50 (out of stock)</label>' in body
    assert '<p class="price">$30.00</p>' in body
    assert 'data-sku="QH-BLK"' in body  # the inventory context's stock badge
    assert ('<a href="/categories/audio/">Audio</a> \u203a <a href="/categories/headphones/">Headphones</a>'
            in body)

    picked = client.get("/products/quiet-headphones/", {"sku": "QH-WHT"})
    assert '<p class="price">$34.50</p>' in picked.content.decode()
    assert '<input type="radio" name="sku" value="QH-WHT" checked>' in picked.content.decode()


def test_sale_price_shows_compare_at_and_lowest_price_of_the_30_days_before(client, shop):
    """On sale: the compare-at price is struck through, and the lowest price of the 30 days before the
    reduction is shown (older prices do not count)."""
    variant = VariantFactory(product=shop["quiet"], sku="QH-1", price=Decimal("30.00"),
                             compare_at_price=Decimal("45.00"))
    now = timezone.now()
    PriceHistoryFactory(variant=variant, old_price=None, new_price=Decimal("20.00"), changed_at=now - timedelta(90))
    PriceHistoryFactory(variant=variant, old_price=Decimal("20.00"), new_price=Decimal("45.00"),
                        changed_at=now - timedelta(40))
    PriceHistoryFactory(variant=variant, old_price=Decimal("45.00"), new_price=Decimal("40.00"),
                        changed_at=now - timedelta(20))
    PriceHistoryFactory(variant=variant, old_price=Decimal("40.00"), new_price=Decimal("30.00"),
                        changed_at=now - timedelta(2))

    body = client.get("/products/quiet-headphones/").content.decode()

    assert '<p class="price sale">$30.00<span class="was">$45.00</span></p>' in body
    assert "Lowest price in the 30 days before this reduction: $40.00" in body
    assert PriceHistory.objects.count() == 4


def test_product_images_use_thumbnails_in_srcset_and_fall_back_to_the_original(client, shop):
    """With thumbnails the <img> offers both sizes; while they are missing it shows the original."""
    product = shop["quiet"]
    with_thumbs = ProductImageFactory(product=product, position=0, alt_text="Front")
    type(with_thumbs).objects.filter(pk=with_thumbs.pk).update(
        thumbnail_small="products/quiet-headphones/thumbs/front-320.jpg",
        thumbnail_large="products/quiet-headphones/thumbs/front-800.jpg",
    )
    without = ProductImageFactory(product=product, position=1, alt_text="Side")

    body = client.get("/products/quiet-headphones/").content.decode()

    assert ('<img src="/media/products/quiet-headphones/thumbs/front-800.jpg" '
            'srcset="/media/products/quiet-headphones/thumbs/front-320.jpg 320w, '
            '/media/products/quiet-headphones/thumbs/front-800.jpg 800w"') in body
    assert f'<img src="/media/{without.image.name}" alt="Side" loading="lazy" width="800">' in body


def test_product_page_carries_json_ld_that_cannot_break_out_of_its_script(client, shop):
    """Structured data is a schema.org Product with an Offer per variant; a name holding </script>
    is escaped inside the JSON so the page's markup stays intact."""
    product = shop["quiet"]
    Product.objects.filter(pk=product.pk).update(name="Quiet </script><script>alert(1)</script>")
    VariantFactory(product=product, sku="QH-1", price=Decimal("30.00"), in_stock=True)

    body = client.get("/products/quiet-headphones/").content.decode()

    [raw] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, flags=re.S)
    assert "<" not in raw
    data = json.loads(raw)
    assert data["@type"] == "Product"
    assert data["name"] == "Quiet </script><script>alert(1)</script>"
    assert data["brand"] == {"@type": "Brand", "name": "Sony"}
    assert data["offers"] == [{"@type": "Offer", "sku": "QH-1", "price": "30.00", "priceCurrency": "USD",
                               "availability": "https://schema.org/InStock",
                               "url": "http://testserver/products/quiet-headphones/?sku=QH-1"}]
    assert "<script>alert(1)</script>" not in body


def test_inactive_or_unknown_product_page_is_a_404(client, shop):
    """A deactivated product is not shown, nor is a slug nobody uses."""
    assert client.get("/products/hidden-headphones/").status_code == 404
    assert client.get("/products/nothing-here/").status_code == 404


def test_search_page_finds_by_name_and_shows_facets(client, shop):
    """/search/?q= lists the matching active products with the same facets as the list pages."""
    response = client.get("/search/", {"q": "headphones"})

    assert response.status_code == 200
    assert card_names(response) == ["Quiet Headphones"]
    assert [(c.slug, c.count) for c in response.context["facets"].category] == [("headphones", 1)]
    assert "Results for “headphones”" in response.content.decode()


def test_search_without_matches_says_so_clearly(client, shop):
    """Nothing matches: a page that says so and suggests what to do, not an empty grid."""
    response = client.get("/search/", {"q": "zeppelin"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "No results for “zeppelin”" in body
    assert "Check the spelling" in body
    assert 'href="/products/"' in body


def test_search_without_a_query_asks_for_one(client, shop):
    """/search/ with no words explains what to type instead of listing everything."""
    response = client.get("/search/", {"q": "   "})

    assert response.status_code == 200
    assert "Type what you are looking for" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"page": "abc"}, 404),
        ({"page": "0"}, 404),
        ({"page": "-3"}, 404),
        ({"page": "99999"}, 404),
        ({"page": "9" * 40}, 404),
        ({"sort": "drop table"}, 200),
        ({"price": "cheap'--"}, 200),
        ({"price": "0-25", "brand": "x" * 5000}, 200),
        ({"in_stock": "maybe"}, 200),
        ({"category": "no-such-category"}, 200),
        ({"q": "nul\x00byte"}, 200),
    ],
)
@pytest.mark.parametrize("path", ["/products/", "/categories/audio/", "/search/"])
def test_bad_query_parameters_give_a_page_or_a_404_never_an_error(client, shop, path, params, status):
    """Garbage in the query string is ignored or answered with 404; it never causes a server error."""
    query = {"q": "headphones", **params} if path == "/search/" else params
    response = client.get(path, query)

    assert response.status_code == status


def test_home_page_shows_new_arrivals_and_featured_categories(client, shop):
    """The home page's sections come from the catalog's template tags."""
    body = client.get("/").content.decode()

    assert "New arrivals" in body
    assert body.index("Steel Kettle") < body.index("Loud Speaker") < body.index("Quiet Headphones")
    assert "Hidden Headphones" not in body
    assert '<a href="/categories/audio/">Audio</a>' in body
    assert '<a href="/categories/kitchen/">Kitchen</a>' not in body


@pytest.mark.parametrize("path", ["/search/?q=lamp", "/products/", "/categories/audio/"])
def test_pages_say_search_is_unavailable_when_opensearch_does_not_answer(client, shop, settings, path):
    """With the search cluster out of reach the listing pages answer 503 with a message, not a 500."""
    settings.SEARCH_BACKEND = "opensearch"
    settings.OPENSEARCH_URL = "http://127.0.0.1:9"

    response = client.get(path)

    assert response.status_code == 503
    assert "Search is unavailable right now" in response.content.decode()


def test_product_description_keeps_formatting_but_never_scripts(client, shop):
    """Even a description written around the services renders its formatting and drops scripts."""
    Product.objects.filter(pk=shop["quiet"].pk).update(
        description='<p>Soft <strong>ear cups</strong></p><script>alert(1)</script><img src=x onerror="alert(2)">'
    )

    body = client.get("/products/quiet-headphones/").content.decode()

    assert "<p>Soft <strong>ear cups</strong></p>" in body
    assert "alert(1)" not in body
    assert "onerror" not in body
