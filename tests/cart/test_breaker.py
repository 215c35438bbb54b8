"""The circuit breaker around catalog calls: closed, open after N failures in a row, half-open later."""

import time

import pytest

from cart.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker, CircuitOpen


class Flaky:
    """A dependency that fails while `down` and counts its calls."""

    def __init__(self):
        self.down = True
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.down:
            raise ConnectionError("no answer")
        return "ok"


@pytest.fixture
def breaker(settings):
    settings.CART_CATALOG_BREAKER_THRESHOLD = 3
    settings.CART_CATALOG_BREAKER_COOLDOWN_SECONDS = 0.2
    return CircuitBreaker("test", failures=(ConnectionError,))


def test_opens_after_the_threshold_and_stops_calling(breaker):
    """Three failures in a row open the breaker; further calls are refused without calling."""
    dependency = Flaky()
    for _ in range(3):
        with pytest.raises(ConnectionError):
            breaker.call(dependency)

    with pytest.raises(CircuitOpen):
        breaker.call(dependency)
    assert (breaker.state(), dependency.calls) == (OPEN, 3)


def test_a_success_resets_the_count_of_failures(breaker):
    """Failures must be consecutive: a success in between starts the count again."""
    dependency = Flaky()
    for _ in range(2):
        with pytest.raises(ConnectionError):
            breaker.call(dependency)
    dependency.down = False
    breaker.call(dependency)
    dependency.down = True
    for _ in range(2):
        with pytest.raises(ConnectionError):
            breaker.call(dependency)

    assert breaker.state() == CLOSED


def test_half_open_lets_one_probe_through_and_closes_on_success(breaker):
    """After the cool-down one call is tried; its success closes the breaker."""
    dependency = Flaky()
    for _ in range(3):
        with pytest.raises(ConnectionError):
            breaker.call(dependency)
    time.sleep(0.25)
    assert breaker.state() == HALF_OPEN

    dependency.down = False
    assert breaker.call(dependency) == "ok"
    assert (breaker.state(), dependency.calls) == (CLOSED, 4)


def test_a_failed_probe_opens_the_breaker_again(breaker):
    """A probe that fails opens the breaker for another cool-down at once."""
    dependency = Flaky()
    for _ in range(3):
        with pytest.raises(ConnectionError):
            breaker.call(dependency)
    time.sleep(0.25)

    with pytest.raises(ConnectionError):
        breaker.call(dependency)

    assert (breaker.state(), dependency.calls) == (OPEN, 4)


def test_errors_that_are_not_failures_pass_through_without_counting(breaker):
    """Only the configured failures count; a bug's exception is raised and leaves the breaker closed."""

    def broken():
        raise KeyError("bug")

    for _ in range(5):
        with pytest.raises(KeyError):
            breaker.call(broken)

    assert breaker.state() == CLOSED
