"""A circuit breaker whose state lives in Django's cache, so that every web process shares it.

closed: calls go through; consecutive failures are counted.
open: after `threshold` failures in a row, calls are refused at once (CircuitOpen) for `cooldown` seconds.
half-open: after the cool-down one caller at a time may try; success closes the breaker, failure
opens it for another cool-down.
"""

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class CircuitOpen(Exception):
    """The breaker is open: the call was not attempted."""


class CircuitBreaker:
    """Guards calls to one dependency; `failures` are the exception types that count against it."""

    def __init__(self, name: str, failures: tuple[type[BaseException], ...]):
        self.name = name
        self.failures = failures
        self._failures_key = f"cart:breaker:{name}:failures"
        self._opened_at_key = f"cart:breaker:{name}:opened_at"
        self._probe_key = f"cart:breaker:{name}:probe"

    @property
    def threshold(self) -> int:
        return settings.CART_CATALOG_BREAKER_THRESHOLD

    @property
    def cooldown(self) -> float:
        return settings.CART_CATALOG_BREAKER_COOLDOWN_SECONDS

    def state(self) -> str:
        """closed, open or half_open, as every process sees it."""
        return self._read()[0]

    def _read(self) -> tuple[str, int]:
        values = cache.get_many([self._failures_key, self._opened_at_key])
        failures = int(values.get(self._failures_key) or 0)
        opened_at = values.get(self._opened_at_key)
        if opened_at is None:
            return CLOSED, failures
        if time.time() - float(opened_at) < self.cooldown:
            return OPEN, failures
        return HALF_OPEN, failures

    def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Call fn unless the breaker is open. Raises CircuitOpen, or what fn raised."""
        state, failures = self._read()
        if state == OPEN:
            raise CircuitOpen(f"{self.name} is not being called for a while after repeated failures")
        # Half-open lets one probe through at a time, across processes.
        if state == HALF_OPEN and not cache.add(self._probe_key, 1, timeout=max(int(self.cooldown), 1)):
            raise CircuitOpen(f"{self.name} is being probed by another request")
        try:
            result = fn(*args, **kwargs)
        except self.failures:
            self._record_failure(state)
            raise
        if state != CLOSED or failures:
            cache.delete_many([self._failures_key, self._opened_at_key, self._probe_key])
        return result

    def _record_failure(self, state: str) -> None:
        if state == HALF_OPEN:
            self._open()
            return
        cache.add(self._failures_key, 0, timeout=None)
        try:
            failures = cache.incr(self._failures_key)
        except ValueError:  # the key was evicted between add and incr
            cache.set(self._failures_key, 1, timeout=None)
            failures = 1
        if failures >= self.threshold:
            self._open()

    def _open(self) -> None:
        cache.set(self._opened_at_key, time.time(), timeout=None)
        cache.delete(self._probe_key)

    def reset(self) -> None:
        """Close the breaker and forget past failures."""
        cache.delete_many([self._failures_key, self._opened_at_key, self._probe_key])
