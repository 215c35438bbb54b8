"""Search in the catalog's own database.

On PostgreSQL: a stored tsvector (name weighted A over brand B over description C, HTML tags
stripped) ranked with ts_rank. When no product has every word as typed, the search relaxes to
products with any of the words or with a name word close to one of them (pg_trgm word similarity),
so that a typo ("bluetoth hedphones") still finds the products. Both use operators that the GIN
indexes of migration 0002 serve. (Trying the strict query first keeps the common case on the
tsvector index alone: OR'ing in trigram similarity from the start made PostgreSQL compute it for
every row.) On SQLite (embedded mode) every word must appear in the name, brand or
description (icontains), and name matches rank first.

Facets come from one aggregate query over the same set (grouped by category, brand, price band and
stock), folded in Python so that each facet ignores its own filter.
"""

from collections.abc import Callable, Iterable
from functools import reduce
from operator import add, and_, or_

from django.contrib.postgres.search import SearchQuery as PgSearchQuery
from django.contrib.postgres.search import SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, Count, Expression, F, Func, IntegerField, Q, QuerySet, TextField, Value, When

from catalog.models import Category, Product
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
# Shorter words have too few trigrams to tell a typo from a different word.
MIN_FUZZY_WORD = 3
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

    def _matching(self, products: QuerySet, text: str) -> tuple[QuerySet, Expression]:
        """The products matching `text`, and the score that ranks them (higher is better)."""
        if _on_postgres():
            tsquery = PgSearchQuery(text, search_type="websearch", config=TEXT_CONFIG)
            exact = products.filter(search_vector=tsquery)
            if exact.exists():
                return exact, SearchRank(F("search_vector"), tsquery)
            return self._close_matches(products, text)
        words = text.split()
        every_word = reduce(
            and_, (Q(name__icontains=w) | Q(brand__icontains=w) | Q(description__icontains=w) for w in words)
        )
        score = Case(
            When(name__icontains=text, then=Value(3)),
            When(brand__icontains=text, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return products.filter(every_word), score

    def _close_matches(self, products: QuerySet, text: str) -> tuple[QuerySet, Expression]:
        """No product has every word as typed: products with ANY of the words, or with a name word
        close to one of them (pg_trgm word similarity, so "hedphones" finds headphones), ranked by
        how much of the query they match. Both conditions are served by the GIN indexes."""
        words = [w for w in text.split() if len(w) >= MIN_FUZZY_WORD] or [text]
        any_word = reduce(or_, (PgSearchQuery(w, config=TEXT_CONFIG) for w in words))
        close = reduce(or_, (Q(name__trigram_word_similar=w) for w in words))
        score = reduce(add, (TrigramWordSimilarity(w, "name") for w in words), SearchRank(F("search_vector"), any_word))
        return products.filter(Q(search_vector=any_word) | close), score

    def _scope(self, query: SearchQuery) -> tuple[QuerySet, Expression | None]:
        """Active products matching the text and the category subtree, before the facet filters, and
        the relevance score (None without text)."""
        products = Product.objects.filter(is_active=True)
        if query.category:
            products = products.filter(category_id__in=category_with_descendant_ids(slug=query.category))
        if not query.q:
            return products, None
        return self._matching(products, query.q)

    def _ordered(self, products: QuerySet, query: SearchQuery, score: Expression | None) -> QuerySet:
        if query.sort == "price":
            return products.order_by(F("min_price").asc(nulls_last=True), "-created_at", "-id")
        if query.sort == "-price":
            return products.order_by(F("min_price").desc(nulls_last=True), "-created_at", "-id")
        if query.sort == "relevance" and score is not None:
            return products.annotate(score=score).order_by(F("score").desc(), "-created_at", "-id")
        return products.order_by("-created_at", "-id")

    def search(self, query: SearchQuery) -> SearchResult:
        """One page of hits, the total and the facets in three queries, plus one for a category and
        one for text on PostgreSQL (do the words match as typed, or is it a typo?)."""
        scope, score = self._scope(query)
        brand = Q(brand__in=query.brands) if query.brands else Q()
        band = _band_q(query.band)
        stock = Q(in_stock=True) if query.in_stock else Q()

        page = self._ordered(scope.filter(brand & band & stock), query, score)
        hits = tuple(page.values_list("id", flat=True)[query.offset : query.offset + query.page_size])
        facets, total = self._facets(scope, query)
        return SearchResult(hits=hits, total=total, facets=facets, page=query.page, page_size=query.page_size)

    def _facets(self, scope: QuerySet, query: SearchQuery) -> tuple[Facets, int]:
        """Every facet and the total from ONE scan of the scope (and a look-up of category names).

        The scope is grouped by (category, brand, price band, in stock): a few thousand cells at
        most for a real catalog, since each is a combination that actually occurs. Each facet then
        adds up the cells that pass every filter but its own.
        """
        band_of = Case(
            *(When(_band_q(b), then=Value(i)) for i, b in enumerate(PRICE_BANDS)),
            default=Value(-1),
            output_field=IntegerField(),
        )
        cells = (
            scope.annotate(band=band_of)
            .values("category_id", "brand", "band", "in_stock")
            .annotate(count=Count("*"))
            .order_by()
        )
        chosen_band = next((i for i, b in enumerate(PRICE_BANDS) if b.key == query.price_band), None)
        total = in_stock = 0
        categories: dict[int, int] = {}
        brands: dict[str, int] = {}
        bands: dict[str, int] = {}
        for cell in cells:
            count = cell["count"]
            brand_ok = not query.brands or cell["brand"] in query.brands
            band_ok = chosen_band is None or cell["band"] == chosen_band
            stock_ok = not query.in_stock or cell["in_stock"]
            if brand_ok and band_ok and stock_ok:
                total += count
                categories[cell["category_id"]] = categories.get(cell["category_id"], 0) + count
            if band_ok and stock_ok and cell["brand"]:
                brands[cell["brand"]] = brands.get(cell["brand"], 0) + count
            if brand_ok and stock_ok and cell["band"] >= 0:
                key = PRICE_BANDS[cell["band"]].key
                bands[key] = bands.get(key, 0) + count
            if brand_ok and band_ok and cell["in_stock"]:
                in_stock += count
        # Grouping by the id rather than by slug and name keeps the big sort on integers; the names
        # come from the small category table.
        names = {
            pk: (slug, name)
            for pk, slug, name in Category.objects.filter(pk__in=categories).values_list("pk", "slug", "name")
        }
        facets = Facets(
            category=tuple(
                sorted(
                    (CategoryCount(*names[pk], count) for pk, count in categories.items() if pk in names),
                    key=lambda c: (-c.count, c.slug),
                )
            )[:FACET_SIZE],
            brand=tuple(
                BrandCount(name, count) for name, count in sorted(brands.items(), key=lambda item: (-item[1], item[0]))
            )[:FACET_SIZE],
            price_band=price_band_counts(bands),
            in_stock=in_stock,
        )
        return facets, total

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
