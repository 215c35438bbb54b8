"""The database search backend: the SQLite fallback, the stored vector on PostgreSQL, the indexing
handler, backend selection and `manage.py reindex`."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from catalog import services
from catalog.models import Product
from catalog.search import get_backend
from catalog.search.database import DatabaseBackend
from catalog.search.opensearch import OpenSearchBackend
from catalog.search.types import InvalidSearchQuery, SearchQuery
from tests.factories.catalog import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_every_word_must_match_somewhere_and_name_matches_come_first():
    """Each word has to appear in the name, brand or description; a name match ranks first (any database)."""
    in_description = ProductFactory(name="Oak Desk", brand="Nordic", description="Goes with a walnut shelf.")
    in_name = ProductFactory(name="Walnut Desk", brand="Nordic", description="Small.")
    ProductFactory(name="Walnut Bowl", brand="Acme", description="Turned by hand.")
    backend = DatabaseBackend()
    backend.index_products(Product.objects.values_list("id", flat=True))

    result = backend.search(SearchQuery(q="walnut nordic"))

    assert result.hits == (in_name.pk, in_description.pk)
    assert result.total == 2


def test_facets_and_filters_count_active_products_only():
    """Facet counts come from aggregate queries over active products (any database)."""
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    ProductFactory(brand="Acme", category=kitchen, min_price=Decimal("24.99"), in_stock=True)
    ProductFactory(brand="Acme", category=kitchen, min_price=Decimal("25.00"), in_stock=False)
    ProductFactory(brand="Zest", category=kitchen, min_price=None, in_stock=False)
    ProductFactory(brand="Acme", category=kitchen, min_price=Decimal("5.00"), in_stock=True, is_active=False)

    result = DatabaseBackend().search(SearchQuery(brands=("Acme",)))

    assert result.total == 2
    assert [(b.brand, b.count) for b in result.facets.brand] == [("Acme", 2), ("Zest", 1)]
    assert [(c.slug, c.count) for c in result.facets.category] == [("kitchen", 2)]
    assert [(b.key, b.count) for b in result.facets.price_band if b.count] == [("0-25", 1), ("25-50", 1)]
    assert result.facets.in_stock == 1


def test_an_unknown_category_finds_nothing():
    """Filtering by a category slug that does not exist gives an empty result, not every product."""
    ProductFactory()

    assert DatabaseBackend().search(SearchQuery(category="no-such-slug")).total == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("sort", "cheapest"), ("price_band", "1-2"), ("page", 0), ("page_size", 500), ("page", 10_000)],
)
def test_a_query_no_backend_could_answer_is_refused(field, value):
    """Unknown sorts and bands, pages below 1 and pages past the first 10,000 results are refused."""
    with pytest.raises(InvalidSearchQuery):
        SearchQuery(**{field: value})


@pytest.mark.postgres
def test_index_products_updates_the_stored_vector_in_one_query(django_assert_num_queries):
    """Indexing any number of products is one UPDATE; tags in descriptions stay out of the vector."""
    products = ProductFactory.create_batch(3, description="<p class='x'>Solid <b>walnut</b></p>")

    with django_assert_num_queries(1):
        assert DatabaseBackend().index_products([p.pk for p in products]) == 3

    vector = Product.objects.values_list("search_vector", flat=True).get(pk=products[0].pk)
    assert "'walnut':" in vector
    assert "class" not in vector


@pytest.mark.postgres
def test_a_product_written_through_the_services_becomes_searchable(django_capture_on_commit_callbacks, settings):
    """catalog.product_changed reaches the search handler, which stores the product's vector."""
    settings.SEARCH_BACKEND = "database"
    category = CategoryFactory()
    with django_capture_on_commit_callbacks(execute=True):
        product = services.product_create(name="Cast Iron Skillet", category=category, brand="Forge")

    result = get_backend().search(SearchQuery(q="skillet"))

    assert result.hits == (product.pk,)
    assert Product.objects.filter(pk=product.pk, search_vector__isnull=False).count() == 1


def test_get_backend_follows_the_setting(settings):
    """SEARCH_BACKEND picks the backend; an unknown name or a missing URL is a configuration error."""
    settings.SEARCH_BACKEND = "database"
    assert isinstance(get_backend(), DatabaseBackend)

    settings.SEARCH_BACKEND = "opensearch"
    settings.OPENSEARCH_URL = "http://127.0.0.1:9200"
    settings.OPENSEARCH_INDEX = "shop-products"
    backend = get_backend()
    assert isinstance(backend, OpenSearchBackend)
    assert backend.alias == "shop-products"

    settings.OPENSEARCH_URL = ""
    with pytest.raises(ImproperlyConfigured, match="OPENSEARCH_URL"):
        get_backend()
    settings.SEARCH_BACKEND = "solr"
    with pytest.raises(ImproperlyConfigured, match="'solr'"):
        get_backend()


def test_reindex_rebuilds_every_active_product_with_a_progress_bar(settings):
    """`manage.py reindex` reports how many active products it indexed and draws a progress bar."""
    settings.SEARCH_BACKEND = "database"
    ProductFactory.create_batch(3)
    ProductFactory(is_active=False)
    out, err = StringIO(), StringIO()

    call_command("reindex", stdout=out, stderr=err)

    assert out.getvalue() == "Reindexed 3 products with the database backend.\n"
    assert "Reindexing: 100%" in err.getvalue()
    assert "3/3" in err.getvalue()


@pytest.mark.postgres
def test_reindex_fills_the_stored_vectors_in_batches(settings):
    """On PostgreSQL the rebuild stores a vector for every active product, batch after batch."""
    settings.SEARCH_BACKEND = "database"
    ProductFactory.create_batch(5)
    backend = DatabaseBackend(batch_size=2)
    progress = []

    assert backend.rebuild(progress=progress.append) == 5

    assert progress == [2, 2, 1]
    assert Product.objects.filter(search_vector__isnull=True).count() == 0


def test_reindex_names_an_unreachable_search_service(settings):
    """With OpenSearch out of reach, reindex exits non-zero and says why."""
    settings.SEARCH_BACKEND = "opensearch"
    settings.OPENSEARCH_URL = "http://127.0.0.1:9"
    ProductFactory()

    with pytest.raises(CommandError, match="search index not rebuilt: OpenSearch did not answer"):
        call_command("reindex", stdout=StringIO(), stderr=StringIO())

