"""Search on OpenSearch (opensearch-dsl): a mapped index behind an alias, bulk indexing, fuzzy
multi_match, and aggregations for the same facets as the database backend.

Writes go through the alias settings.OPENSEARCH_INDEX; `rebuild` fills a fresh index and swaps the
alias in one request, so searches never see a half-built index.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from opensearch_dsl import (
    Boolean,
    Date,
    Document,
    Index,
    Keyword,
    Q,
    ScaledFloat,
    Search,
    Text,
    analyzer,
    token_filter,
    tokenizer,
)
from opensearch_dsl.query import Query
from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors
from opensearchpy.helpers import BulkIndexError, bulk

from catalog.search.documents import ProductDocument, product_documents
from catalog.search.types import (
    PRICE_BANDS,
    BrandCount,
    CategoryCount,
    Facets,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    price_band_counts,
)

logger = logging.getLogger(__name__)

FACET_SIZE = 100
UNAVAILABLE = (os_errors.ConnectionError, os_errors.ConnectionTimeout)

english_stemmer = token_filter("product_english_stemmer", "stemmer", language="english")
# Words as a shopper types them: lower case, accents folded, English stems ("headphones" ~ "headphone").
product_text = analyzer(
    "product_text", tokenizer="standard", filter=["lowercase", "asciifolding", english_stemmer]
)
# Descriptions may hold (sanitised) HTML: index the words, not the tags.
product_html = analyzer(
    "product_html", tokenizer="standard", char_filter=["html_strip"],
    filter=["lowercase", "asciifolding", english_stemmer],
)
# Prefixes of each word of the name, so a half-typed "headph" already finds headphones.
product_prefix = analyzer(
    "product_prefix",
    tokenizer=tokenizer("product_edge_ngram", "edge_ngram", min_gram=2, max_gram=20, token_chars=["letter", "digit"]),
    filter=["lowercase", "asciifolding"],
)
product_prefix_search = analyzer("product_prefix_search", tokenizer="standard", filter=["lowercase", "asciifolding"])


class ProductIndexDocument(Document):
    name = Text(
        analyzer=product_text,
        fields={
            "prefix": Text(analyzer=product_prefix, search_analyzer=product_prefix_search),
            "keyword": Keyword(ignore_above=256),
        },
    )
    brand = Text(analyzer=product_text, fields={"keyword": Keyword(ignore_above=256)})
    description = Text(analyzer=product_html)
    category = Keyword()
    category_name = Keyword()
    category_path = Keyword()
    min_price = ScaledFloat(scaling_factor=100)
    in_stock = Boolean()
    is_active = Boolean()
    created_at = Date()


def product_index(name: str) -> Index:
    """The index definition (settings, analyzers, mapping) under the given concrete name."""
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=1)
    index.document(ProductIndexDocument)
    return index


def document_source(doc: ProductDocument) -> dict:
    """The JSON stored for one product."""
    return {
        "name": doc.name,
        "brand": doc.brand,
        "description": doc.description,
        "category": doc.category,
        "category_name": doc.category_name,
        "category_path": list(doc.category_path),
        "min_price": None if doc.min_price is None else float(doc.min_price),
        "in_stock": doc.in_stock,
        "is_active": doc.is_active,
        "created_at": doc.created_at.isoformat(),
    }


def _band_filter(query: SearchQuery) -> Query | None:
    band = query.band
    if band is None:
        return None
    bounds = {}
    if band.low is not None:
        bounds["gte"] = float(band.low)
    if band.high is not None:
        bounds["lt"] = float(band.high)
    return Q("range", min_price=bounds)


def _facet_filters(query: SearchQuery) -> dict[str, Query | None]:
    """The shopper's facet filters by facet name (None where that facet is not filtered)."""
    return {
        "brand": Q("terms", **{"brand.keyword": list(query.brands)}) if query.brands else None,
        "price_band": _band_filter(query),
        "in_stock": Q("term", in_stock=True) if query.in_stock else None,
    }


def _all_but(filters: dict[str, Query | None], facet: str) -> Query:
    return Q("bool", filter=[f for name, f in filters.items() if name != facet and f is not None])


SORT_ORDERS = {
    "relevance": ["_score", {"created_at": {"order": "desc"}}],
    "price": [{"min_price": {"order": "asc", "missing": "_last"}}, {"created_at": {"order": "desc"}}],
    "-price": [{"min_price": {"order": "desc", "missing": "_last"}}, {"created_at": {"order": "desc"}}],
    "newest": [{"created_at": {"order": "desc"}}],
}


class OpenSearchBackend:
    """Search, index and rebuild against one OpenSearch cluster through the alias `index`."""

    def __init__(self, *, url: str, index: str, client: OpenSearch | None = None, batch_size: int = 500):
        self.alias = index
        self.batch_size = batch_size
        self.client = client or OpenSearch(hosts=[url], timeout=5, max_retries=1, retry_on_timeout=True)

    # Queries ---------------------------------------------------------------------------------

    def build_search(self, query: SearchQuery, *, relaxed: bool = False) -> Search:
        """The exact request `search` sends for `query` (its .to_dict() is the body).

        Strict: every word must match (fuzzily). Relaxed, sent only when nothing matched strictly:
        any word will do, and products matching more of them rank higher.
        """
        scope = [Q("term", is_active=True)]
        if query.category:
            scope.append(Q("term", category_path=query.category))
        if query.q:
            text = Q(
                "bool",
                must=[Q("multi_match", query=query.q, fields=["name^3", "brand^2", "description"],
                        fuzziness="AUTO", operator="or" if relaxed else "and")],
                should=[Q("match", **{"name.prefix": {"query": query.q, "boost": 0.5}})],
                filter=scope,
            )
        else:
            text = Q("bool", filter=scope)
        filters = _facet_filters(query)
        search = Search(using=self.client, index=self.alias).query(text)
        chosen = [f for f in filters.values() if f is not None]
        if chosen:
            search = search.post_filter(Q("bool", filter=chosen))
        # How many products the words matched in scope, before the shopper's filters.
        search.aggs.bucket("matched", "filter", filter=Q("match_all"))
        search.aggs.bucket("category", "filter", filter=_all_but(filters, "category")).bucket(
            "slugs", "terms", field="category", size=FACET_SIZE, order=[{"_count": "desc"}, {"_key": "asc"}]
        ).bucket("names", "terms", field="category_name", size=1)
        search.aggs.bucket("brand", "filter", filter=_all_but(filters, "brand")).bucket(
            "names", "terms", field="brand.keyword", size=FACET_SIZE, order=[{"_count": "desc"}, {"_key": "asc"}]
        )
        ranges = []
        for band in PRICE_BANDS:
            bucket = {"key": band.key}
            if band.low is not None:
                bucket["from"] = float(band.low)
            if band.high is not None:
                bucket["to"] = float(band.high)
            ranges.append(bucket)
        search.aggs.bucket("price_band", "filter", filter=_all_but(filters, "price_band")).bucket(
            "bands", "range", field="min_price", ranges=ranges
        )
        in_stock_scope = [f for name, f in filters.items() if name != "in_stock" and f is not None]
        search.aggs.bucket("in_stock", "filter", filter=Q("bool", filter=[*in_stock_scope, Q("term", in_stock=True)]))
        return (
            search.sort(*SORT_ORDERS[query.sort])
            .source(False)
            .extra(track_total_hits=True, **{"from": query.offset, "size": query.page_size})
        )

    def search(self, query: SearchQuery) -> SearchResult:
        """One page of hits with facets, relaxed to any word when no product has every word.

        Raises SearchUnavailable when the cluster does not answer.
        """
        try:
            response = self.build_search(query).execute()
            if query.q and response.aggregations.matched.doc_count == 0:
                response = self.build_search(query, relaxed=True).execute()
        except UNAVAILABLE as exc:
            raise SearchUnavailable(f"OpenSearch did not answer: {exc}") from exc
        except os_errors.NotFoundError as exc:
            raise SearchUnavailable(f"search index {self.alias!r} does not exist yet; run manage.py reindex") from exc
        aggs = response.aggregations
        facets = Facets(
            category=tuple(
                CategoryCount(b.key, b.names.buckets[0].key if b.names.buckets else b.key, b.doc_count)
                for b in aggs.category.slugs.buckets
            ),
            brand=tuple(BrandCount(b.key, b.doc_count) for b in aggs.brand.names.buckets if b.key),
            price_band=price_band_counts({b.key: b.doc_count for b in aggs.price_band.bands.buckets}),
            in_stock=aggs.in_stock.doc_count,
        )
        return SearchResult(
            hits=tuple(int(hit.meta.id) for hit in response),
            total=response.hits.total.value,
            facets=facets,
            page=query.page,
            page_size=query.page_size,
        )

    # Writes ----------------------------------------------------------------------------------

    def _new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"

    def ensure_index(self) -> None:
        """Create a first index behind the alias unless the alias exists already."""
        if self.client.indices.exists_alias(name=self.alias):
            return
        name = self._new_index_name()
        product_index(name).create(using=self.client)
        self.client.indices.put_alias(index=name, name=self.alias)

    def _actions(self, documents: Iterable[ProductDocument], index: str):
        for doc in documents:
            if doc.is_active:
                yield {"_op_type": "index", "_index": index, "_id": str(doc.id), "_source": document_source(doc)}
            else:
                yield {"_op_type": "delete", "_index": index, "_id": str(doc.id)}

    def _bulk(self, actions, *, progress: Callable[[int], None] | None = None) -> int:
        sent = 0
        batch = []
        try:
            for action in actions:
                batch.append(action)
                if len(batch) == self.batch_size:
                    bulk(self.client, batch, chunk_size=self.batch_size, ignore_status=(404,))
                    sent += len(batch)
                    if progress:
                        progress(len(batch))
                    batch = []
            if batch:
                bulk(self.client, batch, chunk_size=self.batch_size, ignore_status=(404,))
                sent += len(batch)
                if progress:
                    progress(len(batch))
        except UNAVAILABLE as exc:
            raise SearchUnavailable(f"OpenSearch did not answer: {exc}") from exc
        except BulkIndexError as exc:
            raise SearchUnavailable(f"OpenSearch refused {len(exc.errors)} documents: {exc.errors[:3]}") from exc
        return sent

    def index_products(self, product_ids: Iterable[int]) -> int:
        """(Re)index the given products; inactive or deleted ones are removed. Returns actions sent."""
        ids = sorted(set(product_ids))
        if not ids:
            return 0
        try:
            self.ensure_index()
        except UNAVAILABLE as exc:
            raise SearchUnavailable(f"OpenSearch did not answer: {exc}") from exc
        documents = list(product_documents(ids, batch_size=self.batch_size))
        found = {doc.id for doc in documents}
        gone = [{"_op_type": "delete", "_index": self.alias, "_id": str(i)} for i in ids if i not in found]
        return self._bulk([*self._actions(documents, self.alias), *gone])

    def remove_products(self, product_ids: Iterable[int]) -> int:
        """Remove the given products from the index (missing ones are fine). Returns actions sent."""
        actions = [{"_op_type": "delete", "_index": self.alias, "_id": str(i)} for i in sorted(set(product_ids))]
        return self._bulk(actions) if actions else 0

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Index every active product into a fresh index, then point the alias at it and drop the old ones.

        `progress(n)` is called after each batch of n products. Returns how many products were indexed.
        """
        try:
            name = self._new_index_name()
            product_index(name).create(using=self.client)
            documents = (doc for doc in product_documents(batch_size=self.batch_size) if doc.is_active)
            count = self._bulk(self._actions(documents, name), progress=progress)
            self.client.indices.refresh(index=name)
            old = sorted(self.client.indices.get_alias(name=self.alias)) if self.client.indices.exists_alias(
                name=self.alias
            ) else []
            actions = [{"remove": {"index": index, "alias": self.alias}} for index in old]
            actions.append({"add": {"index": name, "alias": self.alias}})
            self.client.indices.update_aliases(body={"actions": actions})
            for index in old:
                self.client.indices.delete(index=index)
        except UNAVAILABLE as exc:
            raise SearchUnavailable(f"OpenSearch did not answer: {exc}") from exc
        logger.info("search index %s rebuilt with %d products", name, count)
        return count

    def refresh(self) -> None:
        """Make every write so far visible to searches (tests and the rebuild use it)."""
        self.client.indices.refresh(index=self.alias)
