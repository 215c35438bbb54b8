"""The OpenSearch adapter, checked on the exact requests it sends.

No OpenSearch runs here, so the client talks to a small HTTP server started by the test: it records
every request and answers with canned OpenSearch responses. The same expectations against a live
cluster are in test_search_contract.py.
"""

import json
import threading
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from catalog.search.handlers import reindex_changed_product
from catalog.search.opensearch import OpenSearchBackend, product_index
from catalog.search.types import BrandCount, CategoryCount, Facets, PriceBandCount, SearchQuery, SearchUnavailable
from ecommerce.events import Event, TransientError, publish
from tests.factories.catalog import CategoryFactory, ProductFactory


class FakeOpenSearch:
    """Records (method, path, body) of each request; `answer` maps a request to (status, JSON body)."""

    def __init__(self):
        self.requests: list[tuple[str, str, str]] = []
        self.aliases: dict[str, list[str]] = {}
        self.search_responses: list[dict] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                recorder.requests.append((self.command, self.path, body))
                status, payload = recorder.answer(self.command, self.path.split("?")[0], body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, method, path, body):
        if path == "/_bulk":
            lines = [json.loads(line) for line in body.splitlines() if line]
            items = [
                {op: {"_index": meta["_index"], "_id": meta["_id"], "status": 200 if op == "index" else 404}}
                for line in lines
                for op, meta in line.items()
                if op in ("index", "delete")
            ]
            return 200, {"took": 1, "errors": any(i.get("delete", {}).get("status") == 404 for i in items),
                         "items": items}
        if path.startswith("/_alias/"):
            name = path.split("/")[2]
            if name not in self.aliases:
                return 404, {"error": f"alias [{name}] missing", "status": 404}
            return 200, {index: {"aliases": {name: {}}} for index in self.aliases[name]}
        if path.endswith("/_search"):
            return 200, self.search_responses.pop(0)
        return 200, {"acknowledged": True}

    def bodies(self, method, path_prefix):
        return [body for m, p, body in self.requests if m == method and p.startswith(path_prefix)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_opensearch():
    server = FakeOpenSearch()
    yield server
    server.close()


@pytest.fixture
def backend(fake_opensearch):
    return OpenSearchBackend(url=fake_opensearch.url, index="products", batch_size=2)


def test_index_mapping_has_the_analyzers_and_fields_search_relies_on():
    """The index is created with stemming, HTML stripping, edge n-grams and keyword fields for facets."""
    body = product_index("products-1").to_dict()

    assert body["settings"]["analysis"] == {
        "analyzer": {
            "product_text": {"type": "custom", "tokenizer": "standard",
                             "filter": ["lowercase", "asciifolding", "product_english_stemmer"]},
            "product_html": {"type": "custom", "tokenizer": "standard", "char_filter": ["html_strip"],
                             "filter": ["lowercase", "asciifolding", "product_english_stemmer"]},
            "product_prefix": {"type": "custom", "tokenizer": "product_edge_ngram",
                               "filter": ["lowercase", "asciifolding"]},
            "product_prefix_search": {"type": "custom", "tokenizer": "standard",
                                      "filter": ["lowercase", "asciifolding"]},
        },
        "filter": {"product_english_stemmer": {"type": "stemmer", "language": "english"}},
        "tokenizer": {"product_edge_ngram": {"type": "edge_ngram", "min_gram": 2, "max_gram": 20,
                                             "token_chars": ["letter", "digit"]}},
    }
    assert body["mappings"] == {
        "properties": {
            "name": {
                "type": "text", "analyzer": "product_text",
                "fields": {
                    "prefix": {"type": "text", "analyzer": "product_prefix",
                               "search_analyzer": "product_prefix_search"},
                    "keyword": {"type": "keyword", "ignore_above": 256},
                },
            },
            "brand": {"type": "text", "analyzer": "product_text",
                      "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}},
            "description": {"type": "text", "analyzer": "product_html"},
            "category": {"type": "keyword"},
            "category_name": {"type": "keyword"},
            "category_path": {"type": "keyword"},
            "min_price": {"type": "scaled_float", "scaling_factor": 100},
            "in_stock": {"type": "boolean"},
            "is_active": {"type": "boolean"},
            "created_at": {"type": "date"},
        }
    }


def test_text_search_body_is_a_fuzzy_multi_match_with_facet_aggregations(backend):
    """A text search with every filter: fuzzy multi_match scoped to active products in the category
    subtree, the shopper's filters as a post_filter, and each facet aggregated without its own filter."""
    query = SearchQuery(q="bluetoth", category="audio", brands=("Sony",), price_band="25-50", in_stock=True,
                        sort="price", page=2, page_size=10)

    body = backend.build_search(query).to_dict()

    brand = {"terms": {"brand.keyword": ["Sony"]}}
    band = {"range": {"min_price": {"gte": 25.0, "lt": 50.0}}}
    stock = {"term": {"in_stock": True}}
    assert body["query"] == {
        "bool": {
            "must": [{"multi_match": {"query": "bluetoth", "fields": ["name^3", "brand^2", "description"],
                                      "fuzziness": "AUTO", "operator": "and"}}],
            "should": [{"match": {"name.prefix": {"query": "bluetoth", "boost": 0.5}}}],
            "filter": [{"term": {"is_active": True}}, {"term": {"category_path": "audio"}}],
        }
    }
    assert body["post_filter"] == {"bool": {"filter": [brand, band, stock]}}
    assert body["aggs"]["category"]["filter"] == {"bool": {"filter": [brand, band, stock]}}
    assert body["aggs"]["category"]["aggs"] == {
        "slugs": {"terms": {"field": "category", "size": 100, "order": [{"_count": "desc"}, {"_key": "asc"}]},
                  "aggs": {"names": {"terms": {"field": "category_name", "size": 1}}}}
    }
    assert body["aggs"]["brand"] == {
        "filter": {"bool": {"filter": [band, stock]}},
        "aggs": {"names": {"terms": {"field": "brand.keyword", "size": 100,
                                     "order": [{"_count": "desc"}, {"_key": "asc"}]}}},
    }
    assert body["aggs"]["price_band"] == {
        "filter": {"bool": {"filter": [brand, stock]}},
        "aggs": {"bands": {"range": {"field": "min_price", "ranges": [
            {"key": "0-25", "to": 25.0},
            {"key": "25-50", "from": 25.0, "to": 50.0},
            {"key": "50-100", "from": 50.0, "to": 100.0},
            {"key": "100-250", "from": 100.0, "to": 250.0},
            {"key": "250-500", "from": 250.0, "to": 500.0},
            {"key": "500-", "from": 500.0},
        ]}}},
    }
    assert body["aggs"]["in_stock"] == {"filter": {"bool": {"filter": [brand, band, stock]}}}
    assert body["aggs"]["matched"] == {"filter": {"match_all": {}}}
    assert body["sort"] == [{"min_price": {"order": "asc", "missing": "_last"}}, {"created_at": {"order": "desc"}}]
    assert (body["from"], body["size"], body["_source"], body["track_total_hits"]) == (10, 10, False, True)


def test_browse_body_without_text_or_filters_is_newest_first_over_active_products(backend):
    """Without text or filters: only the active filter, no post_filter, relevance falls back to newest."""
    body = backend.build_search(SearchQuery()).to_dict()

    assert body["query"] == {"bool": {"filter": [{"term": {"is_active": True}}]}}
    assert "post_filter" not in body
    assert body["aggs"]["brand"]["filter"] == {"bool": {}}
    assert body["sort"] == ["_score", {"created_at": {"order": "desc"}}]
    assert (body["from"], body["size"]) == (0, 24)


def test_search_turns_the_response_into_the_shared_result_type(backend, fake_opensearch):
    """Hits keep OpenSearch's order as product ids; buckets become the same Facets as the database gives."""
    fake_opensearch.search_responses = [{
        "took": 2, "timed_out": False, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": 3, "relation": "eq"}, "max_score": None, "hits": [
            {"_index": "products-1", "_id": "7", "_score": 2.0},
            {"_index": "products-1", "_id": "3", "_score": 1.0},
        ]},
        "aggregations": {
            "matched": {"doc_count": 3},
            "category": {"doc_count": 3, "slugs": {"buckets": [
                {"key": "headphones", "doc_count": 2, "names": {"buckets": [{"key": "Headphones", "doc_count": 2}]}},
                {"key": "speakers", "doc_count": 1, "names": {"buckets": [{"key": "Speakers", "doc_count": 1}]}},
            ]}},
            "brand": {"doc_count": 3, "names": {"buckets": [{"key": "Sony", "doc_count": 2},
                                                            {"key": "Bose", "doc_count": 1}]}},
            "price_band": {"doc_count": 3, "bands": {"buckets": [
                {"key": "0-25", "to": 25.0, "doc_count": 0},
                {"key": "25-50", "from": 25.0, "to": 50.0, "doc_count": 2},
                {"key": "50-100", "from": 50.0, "to": 100.0, "doc_count": 1},
                {"key": "100-250", "from": 100.0, "to": 250.0, "doc_count": 0},
                {"key": "250-500", "from": 250.0, "to": 500.0, "doc_count": 0},
                {"key": "500-", "from": 500.0, "doc_count": 0},
            ]}},
            "in_stock": {"doc_count": 2},
        },
    }]

    result = backend.search(SearchQuery(q="headphones", page_size=2))

    assert result.hits == (7, 3)
    assert result.total == 3
    assert result.num_pages == 2
    assert result.facets == Facets(
        category=(CategoryCount("headphones", "Headphones", 2), CategoryCount("speakers", "Speakers", 1)),
        brand=(BrandCount("Sony", 2), BrandCount("Bose", 1)),
        price_band=(
            PriceBandCount("0-25", "Under $25", 0), PriceBandCount("25-50", "$25 to $50", 2),
            PriceBandCount("50-100", "$50 to $100", 1), PriceBandCount("100-250", "$100 to $250", 0),
            PriceBandCount("250-500", "$250 to $500", 0), PriceBandCount("500-", "$500 and over", 0),
        ),
        in_stock=2,
    )
    [(method, path, body)] = fake_opensearch.requests
    assert (method, path.split("?")[0]) == ("POST", "/products/_search")
    assert json.loads(body) == backend.build_search(SearchQuery(q="headphones", page_size=2)).to_dict()


def test_with_no_strict_match_a_second_request_accepts_any_word(backend, fake_opensearch):
    """When no product has every word, the search is sent again with operator "or", so that
    "bluetoth hedphones" still finds headphones that never mention bluetooth."""
    empty_aggs = {
        "matched": {"doc_count": 0},
        "category": {"doc_count": 0, "slugs": {"buckets": []}},
        "brand": {"doc_count": 0, "names": {"buckets": []}},
        "price_band": {"doc_count": 0, "bands": {"buckets": []}},
        "in_stock": {"doc_count": 0},
    }
    relaxed_aggs = {**empty_aggs, "matched": {"doc_count": 1}}
    fake_opensearch.search_responses = [
        {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}, "aggregations": empty_aggs},
        {"hits": {"total": {"value": 1, "relation": "eq"}, "hits": [{"_id": "9", "_score": 1.0}]},
         "aggregations": relaxed_aggs},
    ]

    result = backend.search(SearchQuery(q="bluetoth hedphones"))

    assert result.hits == (9,)
    strict, relaxed = (json.loads(body) for body in fake_opensearch.bodies("POST", "/products/_search"))
    assert strict["query"]["bool"]["must"][0]["multi_match"]["operator"] == "and"
    assert relaxed["query"]["bool"]["must"][0]["multi_match"]["operator"] == "or"
    assert {**relaxed, "query": None} == {**strict, "query": None}


@pytest.mark.django_db
def test_index_products_creates_the_index_once_then_bulk_indexes_and_deletes(backend, fake_opensearch):
    """The first write creates a dated index behind the alias; active products are indexed with their
    category path, an inactive or deleted product is deleted from the index, in batches."""
    parent = CategoryFactory(slug="audio", name="Audio")
    leaf = CategoryFactory(slug="headphones", name="Headphones", parent=parent)
    created = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    active = ProductFactory(name="Bluetooth Headphones", brand="Sony", description="<p>Quiet</p>", category=leaf,
                            min_price=Decimal("49.90"), in_stock=True)
    ProductFactory._meta.model.objects.filter(pk=active.pk).update(created_at=created)
    inactive = ProductFactory(category=leaf, is_active=False)

    sent = backend.index_products([active.pk, inactive.pk, 999_999])

    assert sent == 3
    methods_paths = [(m, p.split("?")[0]) for m, p, _ in fake_opensearch.requests]
    assert methods_paths[0] == ("HEAD", "/_alias/products")
    assert methods_paths[1][0] == "PUT" and methods_paths[1][1].startswith("/products-")
    index_name = methods_paths[1][1].lstrip("/")
    assert json.loads(fake_opensearch.requests[1][2]) == product_index(index_name).to_dict()
    assert methods_paths[2] == ("PUT", f"/{index_name}/_alias/products")
    bulk_bodies = fake_opensearch.bodies("POST", "/_bulk")
    assert [[json.loads(line) for line in body.splitlines()] for body in bulk_bodies] == [
        [
            {"index": {"_index": "products", "_id": str(active.pk)}},
            {"name": "Bluetooth Headphones", "brand": "Sony", "description": "<p>Quiet</p>",
             "category": "headphones", "category_name": "Headphones", "category_path": ["audio", "headphones"],
             "min_price": 49.9, "in_stock": True, "is_active": True, "created_at": "2026-01-02T03:04:05+00:00"},
            {"delete": {"_index": "products", "_id": str(inactive.pk)}},
        ],
        [{"delete": {"_index": "products", "_id": "999999"}}],
    ]


@pytest.mark.django_db
def test_rebuild_fills_a_new_index_then_swaps_the_alias_and_drops_the_old_index(backend, fake_opensearch):
    """Rebuild indexes every active product in batches (reporting progress), then moves the alias in
    one request and deletes the index it pointed to before."""
    fake_opensearch.aliases["products"] = ["products-old"]
    products = ProductFactory.create_batch(3)
    ProductFactory(is_active=False)
    progress = []

    count = backend.rebuild(progress=progress.append)

    assert count == 3
    assert progress == [2, 1]
    create = [p for m, p, _ in fake_opensearch.requests if m == "PUT"]
    assert len(create) == 1
    new_index = create[0].split("?")[0].lstrip("/")
    indexed_ids = [
        json.loads(line)["index"]["_id"]
        for body in fake_opensearch.bodies("POST", "/_bulk")
        for line in body.splitlines()
        if '"index"' in line and '"_id"' in line
    ]
    assert indexed_ids == [str(p.pk) for p in products]
    [aliases] = fake_opensearch.bodies("POST", "/_aliases")
    assert json.loads(aliases) == {"actions": [
        {"remove": {"index": "products-old", "alias": "products"}},
        {"add": {"index": new_index, "alias": "products"}},
    ]}
    assert [p.split("?")[0] for m, p, _ in fake_opensearch.requests if m == "DELETE"] == ["/products-old"]


def test_remove_products_sends_bulk_deletes_and_tolerates_missing_documents(backend, fake_opensearch):
    """Removing a product that is not in the index is not an error."""
    assert backend.remove_products([5, 5, 6]) == 2
    [body] = fake_opensearch.bodies("POST", "/_bulk")
    assert [json.loads(line) for line in body.splitlines()] == [
        {"delete": {"_index": "products", "_id": "5"}},
        {"delete": {"_index": "products", "_id": "6"}},
    ]


def test_an_unreachable_cluster_raises_search_unavailable(fake_opensearch):
    """With nothing listening, search says the service is unavailable instead of a raw transport error."""
    fake_opensearch.close()
    backend = OpenSearchBackend(url=fake_opensearch.url, index="products")

    with pytest.raises(SearchUnavailable, match="OpenSearch did not answer"):
        backend.search(SearchQuery(q="lamp"))


@pytest.mark.django_db
def test_product_changed_event_reindexes_or_removes_the_product(fake_opensearch, settings,
                                                                  django_capture_on_commit_callbacks):
    """With SEARCH_BACKEND=opensearch, catalog.product_changed indexes an active product and deletes
    an inactive one from the index."""
    settings.SEARCH_BACKEND = "opensearch"
    settings.OPENSEARCH_URL = fake_opensearch.url
    settings.OPENSEARCH_INDEX = "shop"
    fake_opensearch.aliases["shop"] = ["shop-1"]
    product = ProductFactory()

    with django_capture_on_commit_callbacks(execute=True):
        publish("catalog.product_changed.v1", {"product_id": product.pk, "slug": product.slug, "skus": [],
                                               "is_active": True})
        publish("catalog.product_changed.v1", {"product_id": 42, "slug": "gone", "skus": [], "is_active": False})

    bulk_lines = [json.loads(line) for body in fake_opensearch.bodies("POST", "/_bulk") for line in body.splitlines()]
    assert {"index": {"_index": "shop", "_id": str(product.pk)}} in bulk_lines
    assert {"delete": {"_index": "shop", "_id": "42"}} in bulk_lines


@pytest.mark.django_db
def test_an_unreachable_cluster_makes_the_index_handler_retry(fake_opensearch, settings):
    """A search service that does not answer is a transient failure, so the event bus retries it."""
    fake_opensearch.close()
    settings.SEARCH_BACKEND = "opensearch"
    settings.OPENSEARCH_URL = fake_opensearch.url
    event = Event(id=uuid.uuid4(), name="catalog.product_changed.v1", occurred_at=datetime.now(UTC),
                  payload={"product_id": ProductFactory().pk, "slug": "x", "skus": [], "is_active": True})

    with pytest.raises(TransientError, match="OpenSearch did not answer"):
        reindex_changed_product(event)
