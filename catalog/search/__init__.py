"""Product search behind one interface, with the backend chosen by settings.SEARCH_BACKEND.

Every backend offers `search(SearchQuery) -> SearchResult`, `index_products(ids)`,
`remove_products(ids)` and `rebuild(progress=None)`:

- "database": PostgreSQL full-text search with trigram typo tolerance (icontains on SQLite);
- "opensearch": an OpenSearch index at settings.OPENSEARCH_URL behind the alias OPENSEARCH_INDEX.
"""

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from catalog.search.types import InvalidSearchQuery, SearchQuery, SearchResult, SearchUnavailable

__all__ = ["InvalidSearchQuery", "SearchQuery", "SearchResult", "SearchUnavailable", "get_backend"]

BACKENDS = ("database", "opensearch")


@lru_cache(maxsize=4)
def _backend(name: str, url: str, index: str):
    # One instance per configuration, so the OpenSearch client's connection pool is reused.
    if name == "database":
        from catalog.search.database import DatabaseBackend

        return DatabaseBackend()
    if name == "opensearch":
        if not url:
            raise ImproperlyConfigured("SEARCH_BACKEND=opensearch needs OPENSEARCH_URL")
        from catalog.search.opensearch import OpenSearchBackend

        return OpenSearchBackend(url=url, index=index)
    raise ImproperlyConfigured(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")


def get_backend():
    """The configured search backend; ImproperlyConfigured names a wrong SEARCH_BACKEND."""
    return _backend(settings.SEARCH_BACKEND, settings.OPENSEARCH_URL, settings.OPENSEARCH_INDEX)
