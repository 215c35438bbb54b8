"""What every search backend promises, run against each one that can run here.

The database backend runs on PostgreSQL (its ranking and typo tolerance are PostgreSQL's). The
OpenSearch backend runs the very same tests when OPENSEARCH_URL points at a live cluster; without
one it is skipped, in CI too (no OpenSearch runs there; its request bodies are pinned in
test_opensearch.py instead).
"""

import uuid
from decimal import Decimal

import pytest
from django.conf import settings as django_settings

from catalog.search.database import DatabaseBackend
from catalog.search.opensearch import OpenSearchBackend
from catalog.search.types import BrandCount, CategoryCount, SearchQuery
from tests.factories.catalog import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(
    params=[
        pytest.param("database", marks=pytest.mark.postgres),
        pytest.param(
            "opensearch",
            marks=pytest.mark.skipif(not django_settings.OPENSEARCH_URL, reason="needs OpenSearch: set OPENSEARCH_URL"),
        ),
    ]
)
def backend(request):
    if request.param == "database":
        yield DatabaseBackend()
        return
    opensearch = OpenSearchBackend(url=django_settings.OPENSEARCH_URL, index=f"test-products-{uuid.uuid4().hex}")
    yield opensearch
    if opensearch.client.indices.exists_alias(name=opensearch.alias):
        for name in opensearch.client.indices.get_alias(name=opensearch.alias):
            opensearch.client.indices.delete(index=name)


def index(backend, *products):
    """Index the products and make them searchable at once."""
    backend.index_products([p.pk for p in products])
    if isinstance(backend, OpenSearchBackend):
        backend.refresh()


def test_a_name_match_ranks_above_a_description_match(backend):
    """Searching "walnut" puts the walnut desk before the oak desk whose description mentions walnut."""
    in_description = ProductFactory(name="Oak Desk", brand="Nordic", description="Pairs well with a walnut shelf.")
    in_name = ProductFactory(name="Walnut Desk", brand="Nordic", description="A desk for small rooms.")
    unrelated = ProductFactory(name="Garden Hose", brand="Acme", description="Twenty metres long.")
    index(backend, in_description, in_name, unrelated)

    result = backend.search(SearchQuery(q="walnut"))

    assert result.hits == (in_name.pk, in_description.pk)
    assert result.total == 2


@pytest.mark.parametrize("typed", ["headphnes", "bluetoth hedphones"])
def test_a_typo_still_finds_the_product(backend, typed):
    """One letter missing from a word ("headphnes"), even in two words at once, still finds it."""
    headphones = ProductFactory(name="Bluetooth Headphones", brand="Sony", description="Wireless, foldable.")
    hose = ProductFactory(name="Garden Hose", brand="Acme", description="Twenty metres long.")
    index(backend, headphones, hose)

    result = backend.search(SearchQuery(q=typed))

    assert result.hits == (headphones.pk,)


def test_with_no_product_matching_every_word_any_word_will_do(backend):
    """"bluetoth hedphones" finds headphones that never mention bluetooth (and a bluetooth speaker);
    while some product matches every word, the partial matches stay out."""
    headphones = ProductFactory(name="Wireless Headphones", brand="Sony", description="Foldable.")
    speaker = ProductFactory(name="Bluetooth Speaker", brand="Bose", description="Loud.")
    hose = ProductFactory(name="Garden Hose", brand="Acme", description="Long.")
    index(backend, headphones, speaker, hose)

    relaxed = backend.search(SearchQuery(q="bluetoth hedphones"))
    strict = backend.search(SearchQuery(q="wireless headphones"))

    assert set(relaxed.hits) == {headphones.pk, speaker.pk}
    assert strict.hits == (headphones.pk,)


def test_facets_count_each_dimension_without_its_own_filter(backend):
    """With brand=Sony chosen, brands still count every matching brand; bands, stock and categories
    count Sony's products only; the hits are Sony's."""
    audio = CategoryFactory(slug="audio", name="Audio")
    hifi = CategoryFactory(slug="hifi", name="Hi-Fi", parent=audio)
    cheap = ProductFactory(name="Speaker One", brand="Sony", category=audio, min_price=Decimal("30.00"), in_stock=True)
    mid = ProductFactory(name="Speaker Two", brand="Sony", category=hifi, min_price=Decimal("60.00"), in_stock=False)
    bose = ProductFactory(name="Speaker Three", brand="Bose", category=hifi, min_price=Decimal("120.00"),
                          in_stock=True)
    lamp = ProductFactory(name="Desk Lamp", brand="Sony", category=audio, min_price=Decimal("10.00"), in_stock=True)
    index(backend, cheap, mid, bose, lamp)

    result = backend.search(SearchQuery(q="speaker", brands=("Sony",), sort="price"))

    assert result.hits == (cheap.pk, mid.pk)
    assert result.total == 2
    assert result.facets.brand == (BrandCount("Sony", 2), BrandCount("Bose", 1))
    assert result.facets.category == (CategoryCount("audio", "Audio", 1), CategoryCount("hifi", "Hi-Fi", 1))
    assert [(b.key, b.count) for b in result.facets.price_band] == [
        ("0-25", 0), ("25-50", 1), ("50-100", 1), ("100-250", 0), ("250-500", 0), ("500-", 0)]
    assert result.facets.in_stock == 1

    in_stock = backend.search(SearchQuery(q="speaker", in_stock=True, price_band="100-250"))
    assert in_stock.hits == (bose.pk,)
    assert in_stock.facets.in_stock == 1
    assert [(b.key, b.count) for b in in_stock.facets.price_band if b.count] == [("25-50", 1), ("100-250", 1)]


def test_inactive_products_never_appear(backend):
    """An inactive product is neither a hit nor counted in any facet, with or without words."""
    shown = ProductFactory(name="Reading Lamp", brand="Lumo", min_price=Decimal("20.00"), in_stock=True)
    hidden = ProductFactory(name="Reading Lamp Deluxe", brand="Hidden", min_price=Decimal("20.00"), in_stock=True,
                            is_active=False)
    index(backend, shown, hidden)

    for query in (SearchQuery(q="lamp"), SearchQuery(), SearchQuery(brands=("Hidden",))):
        result = backend.search(query)
        assert hidden.pk not in result.hits
        assert "Hidden" not in [b.brand for b in result.facets.brand]
    assert backend.search(SearchQuery(q="lamp")).facets.in_stock == 1
    assert backend.search(SearchQuery(q="deluxe")).total == 0


def test_category_scope_sort_and_pages(backend):
    """A category includes its subcategories; price sorts both ways; pages split the total."""
    home = CategoryFactory(slug="home", name="Home")
    lighting = CategoryFactory(slug="lighting", name="Lighting", parent=home)
    garden = CategoryFactory(slug="garden", name="Garden")
    lamps = [ProductFactory(name=f"Lamp {i}", category=lighting, min_price=Decimal(10 + i)) for i in range(5)]
    other = ProductFactory(name="Lamp for the garden", category=garden, min_price=Decimal("1.00"))
    index(backend, *lamps, other)

    first = backend.search(SearchQuery(category="home", sort="-price", page=1, page_size=2))
    last = backend.search(SearchQuery(category="home", sort="-price", page=3, page_size=2))

    assert first.hits == (lamps[4].pk, lamps[3].pk)
    assert last.hits == (lamps[0].pk,)
    assert (first.total, first.num_pages, last.has_next) == (5, 3, False)
    cheapest = backend.search(SearchQuery(q="lamp", sort="price", page_size=1))
    assert cheapest.hits == (other.pk,)
