"""Whole-page cache for visitors who carry no session: the same bytes for every one of them.

A request without a session cookie, a pending-messages cookie or an Authorization header has an
anonymous user, no cart and no messages, so the page it gets depends only on its URL and on the data
behind it. Such pages are cached by scheme, host and full path together with the token they were
rendered under; a page is served only while its token is current (events that make it stale
replace it). Everything else is rendered as before.

The one per-visitor part such a page can hold is the CSRF token of its forms: pages are rendered
with a placeholder instead, and each answer gets the visitor's own token (which also sets the CSRF
cookie, exactly as rendering `{% csrf_token %}` does).

PageCacheMiddleware keeps a copy of each page a process served in its own memory, with the headers
the rest of the stack gave it, and answers the next request for it before sessions, URL routing and
the view run. It checks the page's token against the shared cache at most every
PAGE_CACHE_TOKEN_CHECK_SECONDS: a token replaced by another process (an event handler in a worker)
is seen within that time, one replaced in this process at once. Event handlers run after their
transaction commits and through a queue, so pages already trail the data by that much.
"""

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.urls import ResolverMatch
from django.utils.cache import patch_vary_headers

HOME_PAGE = "home"  # family of the home page: forgotten by each context whose data it shows
CSRF_PLACEHOLDER = "csrf-token-placeholder-8d2b7c4e"
MAX_PATH_LENGTH = 1000
CACHE_SECONDS = 24 * 3600  # only reclaims memory: an entry under an older token is never served


# Tokens ---------------------------------------------------------------------------------------------


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


def replace_tokens(keys: Iterable[str]) -> None:
    """Give each of these token keys a new token: everything cached under the old ones is stale."""
    fresh = {key: uuid.uuid4().hex for key in keys}
    if fresh:
        cache.set_many(fresh, timeout=None)
        _CHECKED_TOKENS.forget(fresh)


def forget(name: str) -> None:
    """Make every cached page of this family stale (called by the handlers of the events that change it)."""
    replace_tokens([generation_key(name)])


class _CheckedTokens:
    """Tokens read from the shared cache by this process, trusted for PAGE_CACHE_TOKEN_CHECK_SECONDS."""

    def __init__(self):
        self._tokens: dict[str, tuple[str | None, float]] = {}

    def current(self, key: str) -> str | None:
        checked = self._tokens.get(key)
        if checked is not None and checked_recently(checked[1]):
            return checked[0]
        value = cache.get(key)
        self._tokens[key] = (value, time.monotonic())
        return value

    def seen(self, key: str, token: str) -> None:
        """`token` was just read at `key` (by a view that served a page under it)."""
        self._tokens[key] = (token, time.monotonic())

    def forget(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._tokens.pop(key, None)

    def clear(self) -> None:
        self._tokens.clear()


_CHECKED_TOKENS = _CheckedTokens()


def checked_recently(read_at: float) -> bool:
    """True when something read from the shared cache at `read_at` (time.monotonic()) may still be
    trusted without reading it again (for PAGE_CACHE_TOKEN_CHECK_SECONDS)."""
    return time.monotonic() - read_at < settings.PAGE_CACHE_TOKEN_CHECK_SECONDS


# Pages ----------------------------------------------------------------------------------------------


def cacheable(request: HttpRequest) -> bool:
    """True when the page this GET gets cannot depend on who is asking."""
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and len(request.get_full_path()) <= MAX_PATH_LENGTH
    )


def page_key(request: HttpRequest, namespace: str, token: str) -> str:
    """The cache key of this request's page under `token`."""
    return f"page:{namespace}:{token}:{_digest(_address(request))}"


def _address(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}{request.get_full_path()}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _entry_key(request: HttpRequest, namespace: str) -> str:
    return f"page:{namespace}:{_digest(_address(request))}"


def _read(request: HttpRequest, namespace: str, token_key: str) -> tuple[str | None, tuple | None]:
    """(the current token at `token_key`, this request's entry if it was stored under it), one round trip."""
    entry_key = _entry_key(request, namespace)
    found = cache.get_many([token_key, entry_key])
    current, entry = found.get(token_key), found.get(entry_key)
    if entry is None or current is None or entry[:2] != (token_key, current):
        return current, None
    return current, entry


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
    token_key, current, content, content_type = entry
    response = _personalised(request, HttpResponse(content, content_type=content_type))
    mark_shared(response, token_key, current, content=content)
    return response


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
    return with_csrf_token(request, html)


def with_csrf_token(request: HttpRequest, html: str) -> str:
    """HTML rendered with the CSRF placeholder, with this visitor's token in its forms instead."""
    return html.replace(CSRF_PLACEHOLDER, get_token(request)) if CSRF_PLACEHOLDER in html else html


def _with_csrf_token_bytes(request: HttpRequest, content: bytes) -> bytes:
    return content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())


def _personalised(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not response.streaming and CSRF_PLACEHOLDER.encode() in response.content:
        response.content = _with_csrf_token_bytes(request, response.content)
    # The same URL answers differently once the visitor has a session.
    patch_vary_headers(response, ("Cookie",))
    return response


# Copies of pages in this process --------------------------------------------------------------------


@dataclass(frozen=True)
class SharedAnswer:
    """What PageCacheMiddleware needs to keep a copy of an answer that every anonymous visitor gets."""

    token_key: str
    token: str
    content: bytes | None  # the page with the CSRF placeholder; None: the answer's own bytes
    vary_on_accept: bool  # an API answer: its format follows the Accept header
    throttle: Callable[[HttpRequest], bool] | None  # counts a request, False when it is over its rate


def mark_shared(response: HttpResponse, token_key: str, token: str, *, content: bytes | None = None,
                vary_on_accept: bool = False, throttle: Callable[[HttpRequest], bool] | None = None) -> None:
    """Let PageCacheMiddleware keep a copy of this answer while the token at `token_key` is `token`."""
    response.shared_answer = SharedAnswer(token_key, token, content, vary_on_accept, throttle)


@dataclass(frozen=True)
class _LocalPage:
    answer: SharedAnswer
    content: bytes  # with the CSRF placeholder, if the page has a form
    headers: tuple[tuple[str, str], ...]  # as the rest of the stack left them, less Content-Length
    has_form: bool
    match: ResolverMatch | None  # the route the page was served for (read by the request metrics)


class LocalCopies:
    """Copies of cached things in this process's memory, least recently used dropped first beyond
    PAGE_CACHE_LOCAL_BYTES (a budget per kind of copy). Whoever keeps a copy decides when it is stale."""

    def __init__(self):
        self._copies: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        _ALL_LOCAL_COPIES.append(self)

    def get(self, key: str):
        """The copy under `key`, or None."""
        with self._lock:
            found = self._copies.get(key)
            if found is None:
                return None
            self._copies.move_to_end(key)
            return found[0]

    def put(self, key: str, value: object, size: int) -> None:
        """Keep `value` (about `size` bytes) under `key`."""
        budget = settings.PAGE_CACHE_LOCAL_BYTES
        if size > budget:
            return
        with self._lock:
            self._drop(key)
            self._copies[key] = (value, size)
            self._bytes += size
            while self._bytes > budget:
                _, (_, dropped) = self._copies.popitem(last=False)
                self._bytes -= dropped

    def drop(self, key: str) -> None:
        with self._lock:
            self._drop(key)

    def _drop(self, key: str) -> None:
        old = self._copies.pop(key, None)
        if old is not None:
            self._bytes -= old[1]

    def clear(self) -> None:
        with self._lock:
            self._copies.clear()
            self._bytes = 0


_ALL_LOCAL_COPIES: list[LocalCopies] = []
_LOCAL_PAGES = LocalCopies()


def clear_local_copies() -> None:
    """Drop every copy this process keeps, and the tokens it checked (after the shared cache was cleared)."""
    for copies in _ALL_LOCAL_COPIES:
        copies.clear()
    _CHECKED_TOKENS.clear()


def _local_key(request: HttpRequest, address: str, vary_on_accept: bool) -> str:
    return f"{address}\nAccept: {request.META.get('HTTP_ACCEPT', '')}" if vary_on_accept else address


class PageCacheMiddleware:
    """Answers a session-less GET from this process's copy of its page while the page's token is
    current, and keeps a copy of each answer marked with `mark_shared`. Sits before the session
    middleware, so a copy is served without sessions, routing or the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not cacheable(request):
            return self.get_response(request)
        address = _address(request)
        page = _LOCAL_PAGES.get(address)
        if page is not None and page.answer.vary_on_accept:
            page = _LOCAL_PAGES.get(_local_key(request, address, True))
        if (page is not None and _CHECKED_TOKENS.current(page.answer.token_key) == page.answer.token
                and (page.answer.throttle is None or page.answer.throttle(request))):
            return self._answer(request, page)
        response = self.get_response(request)
        answer = getattr(response, "shared_answer", None)
        if answer is not None and response.status_code == 200 and not response.streaming:
            self._keep(request, address, answer, response)
        return response

    def _keep(self, request: HttpRequest, address: str, answer: SharedAnswer, response: HttpResponse) -> None:
        content = answer.content if answer.content is not None else response.content
        headers = tuple((name, value) for name, value in response.items() if name != "Content-Length")
        page = _LocalPage(answer, content, headers, CSRF_PLACEHOLDER.encode() in content,
                          getattr(request, "resolver_match", None))
        if answer.vary_on_accept:  # the plain address says where to look (the bytes count once)
            _LOCAL_PAGES.put(address, page, 0)
        _LOCAL_PAGES.put(_local_key(request, address, answer.vary_on_accept), page, len(content))
        _CHECKED_TOKENS.seen(answer.token_key, answer.token)

    def _answer(self, request: HttpRequest, page: _LocalPage) -> HttpResponse:
        request.resolver_match = page.match
        response = HttpResponse(page.content)
        for name, value in page.headers:
            response.headers[name] = value
        if not page.has_form:
            response["Content-Length"] = str(len(page.content))
            return response
        # What CsrfViewMiddleware does around a page with a form: read the visitor's CSRF cookie,
        # put the token in the form, set the cookie.
        self.csrf.process_request(request)
        response.content = _with_csrf_token_bytes(request, page.content)
        response["Content-Length"] = str(len(response.content))
        return self.csrf.process_response(request, response)
