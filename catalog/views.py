"""Storefront pages of the catalog: product list, category, product detail and search.

Views only read the request and pick a template; the reads (and their caching) live in
catalog.selectors_storefront. Every page works without JavaScript: filters are plain GET forms.

Visitors without a session get whole pages from ecommerce.page_cache: listing and search pages under
the listing token, a product page under its product's token, so the events that drop the cached
reads drop these pages too.
"""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from catalog import selectors_storefront
from catalog.search.types import PRICE_BANDS_BY_KEY, SORTS, InvalidSearchQuery, SearchQuery, SearchUnavailable
from ecommerce import page_cache

PAGE_SIZE = 24
MAX_QUERY_LENGTH = 200
MAX_BRANDS = 20
SORT_LABELS = {"relevance": "Relevance", "price": "Price: low to high", "-price": "Price: high to low",
               "newest": "Newest"}


def _clean(value: str, limit: int) -> str:
    # PostgreSQL cannot store NUL characters; nothing a shopper types needs them.
    return value.replace("\x00", "").strip()[:limit]


def search_query_from(request: HttpRequest, *, category: str = "") -> SearchQuery:
    """The SearchQuery a page's GET parameters ask for.

    An unknown sort or price band is ignored (the page shows without it); a page number that is
    not a positive integer, or beyond what can be paged through, is a 404.
    """
    params = request.GET
    sort = params.get("sort", "relevance")
    band = params.get("price", "")
    try:
        page = int(params.get("page", "1"))
    except ValueError:
        raise Http404("That page number is not a number.") from None
    try:
        return SearchQuery(
            q=_clean(params.get("q", ""), MAX_QUERY_LENGTH),
            category=category or _clean(params.get("category", ""), 200),
            brands=tuple(b for b in (_clean(b, 120) for b in params.getlist("brand")[:MAX_BRANDS]) if b),
            price_band=band if band in PRICE_BANDS_BY_KEY else "",
            in_stock=params.get("in_stock") == "1",
            sort=sort if sort in SORTS else "relevance",
            page=page,
            page_size=PAGE_SIZE,
        )
    except InvalidSearchQuery as exc:
        raise Http404(str(exc)) from None


def _listing_context(query: SearchQuery, listing: selectors_storefront.Listing) -> dict:
    if query.page > listing.result.num_pages:
        raise Http404("There is no such page of results.")
    return {
        "query": query,
        "listing": listing,
        "result": listing.result,
        "facets": listing.result.facets,
        "sorts": SORT_LABELS,
    }


def _render_listing(request: HttpRequest, template: str, query: SearchQuery, context: dict, *, cached: bool):
    """Render a listing page, or say search is unavailable (503) when the search service does not answer."""
    try:
        listing = (selectors_storefront.cached_listing if cached else selectors_storefront.search_listing)(query)
    except SearchUnavailable:
        return render(request, template, {**context, "query": query, "unavailable": True}, status=503)
    return render(request, template, {**context, **_listing_context(query, listing)})


def _listing_page(request: HttpRequest, page: Callable[[dict], HttpResponse]) -> HttpResponse:
    """`page(extra_context)`, whole from the cache for visitors without a session."""
    if not page_cache.cacheable(request):
        return page({})
    return page_cache.cached_page(request, "listing", selectors_storefront.LISTING_TOKEN_KEY, page)


def product_list(request: HttpRequest) -> HttpResponse:
    """/products/: every active product, with facets, sorting and pagination."""

    def page(extra: dict) -> HttpResponse:
        query = search_query_from(request)
        context = {"title": "All products", **extra}
        return _render_listing(request, "catalog/product_list.html", query, context, cached=True)

    return _listing_page(request, page)


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """/categories/<slug>/: the products of a category and of every category below it."""

    def page(extra: dict) -> HttpResponse:
        category = selectors_storefront.category_view(slug)
        if category is None:
            raise Http404("No such category.")
        query = search_query_from(request, category=slug)
        context = {"category": category, "title": category.name, **extra}
        return _render_listing(request, "catalog/category_detail.html", query, context, cached=True)

    return _listing_page(request, page)


def search(request: HttpRequest) -> HttpResponse:
    """/search/?q=: full-text search with the same facets; a clear page when nothing matches."""

    def page(extra: dict) -> HttpResponse:
        query = search_query_from(request)
        if not query.q:
            return render(request, "catalog/search.html", {"query": query, "title": "Search", **extra})
        context = {"title": f"Search: {query.q}", **extra}
        return _render_listing(request, "catalog/search.html", query, context, cached=False)

    return _listing_page(request, page)


def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """/products/<slug>/: images, the variant picker, prices, availability and structured data.

    ?sku= picks the variant shown (the picker is a plain GET form, so it works without JavaScript).
    """

    whole_page = page_cache.cacheable(request)

    def page(extra: dict) -> HttpResponse:
        product = selectors_storefront.product_page(slug)
        if product is None:
            raise Http404("No such product.")
        selected = product.variant(request.GET.get("sku", ""))
        context = {"product": product, "selected": selected, **extra}
        if not whole_page:
            # A visitor with a session: the shell (account menu, cart count, messages) is rendered for
            # them, the product's part comes from the cache under the product's token.
            token = selectors_storefront.product_token(product.id)
            context["main_fragment"] = page_cache.page_key(request, f"product-main:{product.id}", token)
        return render(request, "catalog/product_detail.html", context)

    if not whole_page:
        return page({})
    product_id = selectors_storefront.product_id_for_slug(slug)
    if product_id is None:
        return page({})
    return page_cache.cached_page(request, "product", selectors_storefront.product_token_key(product_id), page)
