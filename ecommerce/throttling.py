"""Rate limits for the API and the login form: fixed windows counted in the shared cache.

A fixed window costs one cache increment per request (DRF's own throttles keep a list of
timestamps per client, which grows with the rate), and the cache is Redis in production, so every
web process counts against the same limit.
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle


def _parse_rate(rate: str) -> tuple[int, int]:
    """'120/min' -> (120, 60)."""
    count, _, period = rate.partition("/")
    seconds = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}[period]
    return int(count), seconds


def _hit(key: str, rate: str) -> tuple[bool, int]:
    """Count one request against `rate` under `key`; (allowed, seconds until the window ends)."""
    limit, window = _parse_rate(rate)
    now = int(time.time())
    window_key = f"ratelimit:{key}:{now // window}"
    try:
        # Most requests find their window's counter: count first, create it only when missing.
        count = cache.incr(window_key)
    except ValueError:
        if cache.add(window_key, 1, timeout=window + 1):
            count = 1
        else:  # another request created it meanwhile
            try:
                count = cache.incr(window_key)
            except ValueError:  # and it expired since
                cache.set(window_key, 1, timeout=window + 1)
                count = 1
    return count <= limit, window - now % window


def client_ip(request) -> str:
    """The client's address as the web server saw it (set a trusted proxy's header in front of it)."""
    return request.META.get("REMOTE_ADDR", "unknown")


class _FixedWindowThrottle(BaseThrottle):
    scope = ""

    def __init__(self):
        self._wait = None

    def rate(self) -> str:
        return settings.API_THROTTLE_RATES[self.scope]

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view):
        ident = self.ident(request)
        return True if ident is None else self.count(ident)

    def count(self, ident: str) -> bool:
        """Count one request of the client `ident`; False when it is over the rate."""
        allowed, wait = _hit(f"api:{self.scope}:{ident}", self.rate())
        self._wait = None if allowed else wait
        return allowed

    def wait(self):
        return self._wait


class AnonymousRateThrottle(_FixedWindowThrottle):
    """Limits anonymous API clients per IP address."""

    scope = "anon"

    def ident(self, request):
        return None if request.user.is_authenticated else client_ip(request)


def anonymous_api_allowed(request) -> bool:
    """Count an anonymous API request that is answered without DRF; False when its address is over
    the rate (the request then goes through DRF, which refuses it with its 429)."""
    return AnonymousRateThrottle().count(client_ip(request))


class UserRateThrottle(_FixedWindowThrottle):
    """Limits signed-in API clients per user."""

    scope = "user"

    def ident(self, request):
        return str(request.user.pk) if request.user.is_authenticated else None


def login_rate_limited(view):
    """Refuse log-in and sign-up POSTs from an address past settings.LOGIN_RATE, with a 429 page saying when."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST":
            allowed, wait = _hit(f"accounts:{client_ip(request)}", settings.LOGIN_RATE)
            if not allowed:
                minutes = max(1, round(wait / 60))
                response = render(request, "registration/too_many_attempts.html", {"minutes": minutes}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return limited
