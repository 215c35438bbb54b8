"""What every search backend takes and returns: one query type, one result type, the same facets.

These are plain frozen dataclasses of stdlib types, so a result can be cached, compared in tests and
rendered by the storefront without knowing which backend produced it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

SORTS = ("relevance", "price", "-price", "newest")
MAX_PAGE_SIZE = 100
# Deep pages cost a scan of every row before them (and OpenSearch refuses from + size above 10,000).
MAX_RESULT_WINDOW = 10_000


@dataclass(frozen=True)
class PriceBand:
    """A facet bucket of Product.min_price: low <= price < high (None means unbounded)."""

    key: str
    label: str
    low: Decimal | None
    high: Decimal | None


PRICE_BANDS = (
    PriceBand("0-25", "Under $25", None, Decimal("25")),
    PriceBand("25-50", "$25 to $50", Decimal("25"), Decimal("50")),
    PriceBand("50-100", "$50 to $100", Decimal("50"), Decimal("100")),
    PriceBand("100-250", "$100 to $250", Decimal("100"), Decimal("250")),
    PriceBand("250-500", "$250 to $500", Decimal("250"), Decimal("500")),
    PriceBand("500-", "$500 and over", Decimal("500"), None),
)
PRICE_BANDS_BY_KEY = {band.key: band for band in PRICE_BANDS}


class InvalidSearchQuery(ValueError):
    """A search parameter is out of range (unknown sort or price band, page below 1, ...)."""


@dataclass(frozen=True)
class SearchQuery:
    """One search: free text plus filters, a sort order and a page.

    `category` is a category slug and includes its whole subtree. Raises InvalidSearchQuery for a
    sort, price band, page or page size that no backend could honour.
    """

    q: str = ""
    category: str = ""
    brands: tuple[str, ...] = ()
    price_band: str = ""
    in_stock: bool = False
    sort: str = "relevance"
    page: int = 1
    page_size: int = 24

    def __post_init__(self):
        if self.sort not in SORTS:
            raise InvalidSearchQuery(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")
        if self.price_band and self.price_band not in PRICE_BANDS_BY_KEY:
            raise InvalidSearchQuery(f"unknown price band {self.price_band!r}")
        if self.page < 1:
            raise InvalidSearchQuery("page must be 1 or more")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidSearchQuery(f"page size must be between 1 and {MAX_PAGE_SIZE}")
        if self.page * self.page_size > MAX_RESULT_WINDOW:
            raise InvalidSearchQuery(f"only the first {MAX_RESULT_WINDOW} results can be paged through")
        # Normalised so that equal searches compare (and cache) equal.
        object.__setattr__(self, "q", " ".join(self.q.split()))
        object.__setattr__(self, "brands", tuple(sorted(set(self.brands))))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def band(self) -> PriceBand | None:
        return PRICE_BANDS_BY_KEY.get(self.price_band)


@dataclass(frozen=True)
class CategoryCount:
    slug: str
    name: str
    count: int


@dataclass(frozen=True)
class BrandCount:
    brand: str
    count: int


@dataclass(frozen=True)
class PriceBandCount:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Facets:
    """Counts for the filters a shopper can add.

    Each facet counts the products matching the text, the category and every *other* filter, so
    that ticking a second brand shows how many more products it would add. The category facet
    counts products by their own (leaf) category within the current scope, biggest first.
    `price_band` lists every band in order, empty ones with 0; `in_stock` is how many are in stock.
    """

    category: tuple[CategoryCount, ...] = ()
    brand: tuple[BrandCount, ...] = ()
    price_band: tuple[PriceBandCount, ...] = ()
    in_stock: int = 0


@dataclass(frozen=True)
class SearchResult:
    """One page of matching product ids in display order, the total across pages, and the facets."""

    hits: tuple[int, ...]
    total: int
    facets: Facets = field(default_factory=Facets)
    page: int = 1
    page_size: int = 24

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def price_band_counts(counts: dict[str, int]) -> tuple[PriceBandCount, ...]:
    """Every band in display order with its count from `counts` (band key -> count, missing = 0)."""
    return tuple(PriceBandCount(band.key, band.label, counts.get(band.key, 0)) for band in PRICE_BANDS)


class SearchUnavailable(Exception):
    """The search service did not answer (or has no index yet); the page says so instead of failing."""
