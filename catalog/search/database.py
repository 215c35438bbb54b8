"""Search in the catalog's own database.

On PostgreSQL: a stored tsvector (name weighted A over brand B over description C, HTML tags
stripped) ranked with ts_rank, OR'ed with pg_trgm word similarity on the name so that a typo
("bluetoth hedphones") still finds the product. Both conditions use operators that the GIN indexes of
migration 0002 serve. On SQLite (embedded mode) every word must appear in the name, brand or
description (icontains), and name matches rank first.

Facets are aggregate queries over the same filtered set: one page of hits, one query for the total
plus price bands and the in-stock count, one each for categories and brands.
"""

from collections.abc import Callable, Iterable
from functools import reduce
from operator import and_

from django.contrib.postgres.search import SearchQuery as PgSearchQuery
from django.contrib.postgres.search import SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, Count, F, Func, IntegerField, Q, QuerySet, TextField, Value, When

from catalog.models import Product
from catalog.search.types import (
    PRICE_BANDS,
    BrandCount,
    CategoryCount,
    Facets,
    PriceBand,
    SearchQuery,
    SearchResult,
    price_band_counts,
)
from catalog.selectors import category_with_descendant_ids

FACET_SIZE = 100
TEXT_CONFIG = "english"


def _strip_tags(expression):
    """SQL that replaces HTML tags by spaces, so that markup never lands in the search vector."""
    return Func(
        expression, Value("<[^>]*>"), Value(" "), Value("g"), function="regexp_replace", output_field=TextField()
    )


SEARCH_VECTOR = (
    SearchVector("name", weight="A", config=TEXT_CONFIG)
    + SearchVector("brand", weight="B", config=TEXT_CONFIG)
    + SearchVector(_strip_tags(F("description")), weight="C", config=TEXT_CONFIG)
)


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


def _band_q(band: PriceBand | None) -> Q:
    if band is None:
        return Q()
    condition = Q(min_price__isnull=False)
    if band.low is not None:
        condition &= Q(min_price__gte=band.low)
    if band.high is not None:
        condition &= Q(min_price__lt=band.high)
    return condition


class DatabaseBackend:
    """Search over catalog_product itself; nothing to keep in sync but the stored search vector."""

    def __init__(self, *, batch_size: int = 2000):
        self.batch_size = batch_size

    # Queries ---------------------------------------------------------------------------------

    def _text_q(self, text: str) -> Q:
        if _on_postgres():
            return Q(search_vector=PgSearchQuery(text, search_type="websearch", config=TEXT_CONFIG)) | Q(
                name__trigram_word_similar=text
            )
        words = text.split()
        return reduce(
            and_, (Q(name__icontains=w) | Q(brand__icontains=w) | Q(description__icontains=w) for w in words)
        )

    def _scope(self, query: SearchQuery) -> QuerySet:
        """Active products matching the text and the category subtree, before the facet filters."""
        products = Product.objects.filter(is_active=True)
        if query.category:
            products = products.filter(category_id__in=category_with_descendant_ids(slug=query.category))
        if query.q:
            products = products.filter(self._text_q(query.q))
        return products

    def _ordered(self, products: QuerySet, query: SearchQuery) -> QuerySet:
        if query.sort == "price":
            return products.order_by(F("min_price").asc(nulls_last=True), "-created_at", "-id")
        if query.sort == "-price":
            return products.order_by(F("min_price").desc(nulls_last=True), "-created_at", "-id")
        if query.sort == "relevance" and query.q:
            if _on_postgres():
                text = PgSearchQuery(query.q, search_type="websearch", config=TEXT_CONFIG)
                score = SearchRank(F("search_vector"), text) + TrigramWordSimilarity(query.q, "name")
            else:
                phrase = query.q
                score = Case(
                    When(name__icontains=phrase, then=Value(3)),
                    When(brand__icontains=phrase, then=Value(2)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            return products.annotate(score=score).order_by(F("score").desc(), "-created_at", "-id")
        return products.order_by("-created_at", "-id")

    def search(self, query: SearchQuery) -> SearchResult:
        """One page of hits, the total and the facets, in five queries (six with a category)."""
        scope = self._scope(query)
        brand = Q(brand__in=query.brands) if query.brands else Q()
        band = _band_q(query.band)
        stock = Q(in_stock=True) if query.in_stock else Q()

        page = self._ordered(scope.filter(brand & band & stock), query)
        hits = tuple(page.values_list("id", flat=True)[query.offset : query.offset + query.page_size])

        counts = scope.filter(brand).aggregate(
            n_total=Count("id", filter=band & stock),
            n_in_stock=Count("id", filter=band & Q(in_stock=True)),
            **{f"n_band_{i}": Count("id", filter=_band_q(b) & stock) for i, b in enumerate(PRICE_BANDS)},
        )
        brands = (
            scope.filter(band & stock).exclude(brand="").values("brand")
            .annotate(count=Count("id")).order_by("-count", "brand")[:FACET_SIZE]
        )
        categories = (
            scope.filter(brand & band & stock).values("category__slug", "category__name")
            .annotate(count=Count("id")).order_by("-count", "category__slug")[:FACET_SIZE]
        )
        facets = Facets(
            category=tuple(CategoryCount(c["category__slug"], c["category__name"], c["count"]) for c in categories),
            brand=tuple(BrandCount(b["brand"], b["count"]) for b in brands),
            price_band=price_band_counts({b.key: counts[f"n_band_{i}"] for i, b in enumerate(PRICE_BANDS)}),
            in_stock=counts["n_in_stock"],
        )
        return SearchResult(hits=hits, total=counts["n_total"], facets=facets, page=query.page,
                            page_size=query.page_size)

    # Writes ----------------------------------------------------------------------------------

    def index_products(self, product_ids: Iterable[int]) -> int:
        """Recompute the stored search vector of these products in one UPDATE (PostgreSQL only;
        SQLite searches the columns directly). Returns how many rows were updated."""
        ids = list(set(product_ids))
        if not ids or not _on_postgres():
            return 0
        return Product.objects.filter(id__in=ids).update(search_vector=SEARCH_VECTOR)

    def remove_products(self, product_ids: Iterable[int]) -> int:
        """Nothing to remove: inactive products are filtered out at query time. Returns 0."""
        return 0

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Recompute the search vector of every active product in batches of consecutive ids, calling
        `progress(n)` after each; returns how many. (Reactivating a product indexes it again.)"""
        ids = Product.objects.filter(is_active=True).order_by("id").values_list("id", flat=True)
        done = 0
        last_id = 0
        while True:
            batch = list(ids.filter(id__gt=last_id)[: self.batch_size])
            if not batch:
                return done
            if _on_postgres():
                Product.objects.filter(id__in=batch).update(search_vector=SEARCH_VECTOR)
            done += len(batch)
            last_id = batch[-1]
            if progress:
                progress(len(batch))
