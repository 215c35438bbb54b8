"""Whole-page cache for visitors who carry no session: the same bytes for every one of them.

A request without a session cookie (and without a pending-messages cookie) has an anonymous user,
no cart and no messages, so the page it gets depends only on its URL and on the data behind it.
Such pages are cached by scheme, host and full path together with the token they were rendered
under; a page is served only while its token is current (events that make it stale replace it).
Everything else is rendered as before.

The one per-visitor part such a page can hold is the CSRF token of its forms: pages are rendered
with a placeholder instead, and each answer gets the visitor's own token (which also sets the CSRF
cookie, exactly as rendering `{% csrf_token %}` does).
"""

import hashlib
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

HOME_PAGE = "home"  # family of the home page: forgotten by each context whose data it shows
CSRF_PLACEHOLDER = "csrf-token-placeholder-8d2b7c4e"
MAX_PATH_LENGTH = 1000
CACHE_SECONDS = 24 * 3600  # only reclaims memory: an entry under an older token is never served


def generation_key(name: str) -> str:
    """The cache key of the token of a page family owned by no single context (the home page, whose
    sections come from several); `forget(name)` replaces the token."""
    return f"page-generation:{name}"


def generation(name: str) -> str:
    """The current token of the page family `name`."""
    return token(generation_key(name))


def token(key: str) -> str:
    """The token stored under `key`, made (once, whoever asks first) when there is none."""
    value = cache.get(key)
    return value if value is not None else _new_token(key)


def _new_token(key: str) -> str:
    cache.add(key, uuid.uuid4().hex, timeout=None)
    return cache.get(key)


def forget(name: str) -> None:
    """Make every cached page of this family stale (called by the handlers of the events that change it)."""
    cache.set(generation_key(name), uuid.uuid4().hex, timeout=None)


def cacheable(request: HttpRequest) -> bool:
    """True when the page this GET gets cannot depend on who is asking."""
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and len(request.get_full_path()) <= MAX_PATH_LENGTH
    )


def page_key(request: HttpRequest, namespace: str, token: str) -> str:
    """The cache key of this request's page under `token`."""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"page:{namespace}:{token}:{hashlib.sha256(address.encode()).hexdigest()}"


def _entry_key(request: HttpRequest, namespace: str) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"page:{namespace}:{hashlib.sha256(address.encode()).hexdigest()}"


def _read(request: HttpRequest, namespace: str, token_key: str) -> tuple[str | None, tuple | None]:
    """(the current token at `token_key`, this request's entry if it was stored under it), one round trip."""
    entry_key = _entry_key(request, namespace)
    found = cache.get_many([token_key, entry_key])
    current, entry = found.get(token_key), found.get(entry_key)
    if entry is None or current is None or entry[:2] != (token_key, current):
        return current, None
    return current, entry


def fresh_page(request: HttpRequest, namespace: str, token_key: str) -> HttpResponse | None:
    """This request's page if it is cached under the current token at `token_key`, else None."""
    _, entry = _read(request, namespace, token_key)
    return None if entry is None else _answer(request, entry)


def cached_page(request: HttpRequest, namespace: str, token_key: str, render: Callable[[dict], HttpResponse], *,
                timeout: int = CACHE_SECONDS) -> HttpResponse:
    """This request's page from the cache if it was stored under the current token at `token_key`,
    else `render(extra_context)`'s answer, stored when it is a 200.

    Token and page come in one round trip; the token is read before rendering, so a page rendered
    from data that an event changed meanwhile is stored under the token that event replaced.
    `render` gets context to add to the template's (the CSRF placeholder). Call only when
    `cacheable(request)`.
    """
    current, entry = _read(request, namespace, token_key)
    if entry is None:
        current = current or _new_token(token_key)
        response = render({"csrf_token": CSRF_PLACEHOLDER})
        if response.status_code != 200 or response.streaming:
            return _personalised(request, response)
        entry = (token_key, current, response.content, response["Content-Type"])
        cache.set(_entry_key(request, namespace), entry, timeout)
    return _answer(request, entry)


def _answer(request: HttpRequest, entry: tuple) -> HttpResponse:
    _, _, content, content_type = entry
    return _personalised(request, HttpResponse(content, content_type=content_type))


def cached_fragment(request: HttpRequest, key: str, render: Callable[[dict], str], *,
                    timeout: int = CACHE_SECONDS) -> str:
    """The HTML under `key`, or `render(extra_context)`'s, with this visitor's CSRF token in its forms.

    For the parts of a page that are the same for everyone, rendered inside a page that is not
    (a visitor with a session); `key` names the token of the data the fragment shows.
    """
    html = cache.get(key)
    if html is None:
        html = render({"csrf_token": CSRF_PLACEHOLDER})
        cache.set(key, html, timeout)
    return html.replace(CSRF_PLACEHOLDER, get_token(request)) if CSRF_PLACEHOLDER in html else html


def _personalised(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not response.streaming and CSRF_PLACEHOLDER.encode() in response.content:
        response.content = response.content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    # The same URL answers differently once the visitor has a session.
    patch_vary_headers(response, ("Cookie",))
    return response
