"""Log-in, sign-up and the API are rate-limited per client: past the limit they answer 429."""

import pytest

from tests.factories.users import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_attempts_past_the_limit_get_429_with_retry_after(client, settings):
    """The fourth log-in POST in a minute from one address is refused, even with the right password."""
    settings.LOGIN_RATE = "3/min"
    user = UserFactory()
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": user.username, "password": "wrong"}).status_code == 200
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many log-in attempts" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 60


def test_login_limit_is_per_address(client, settings):
    """Another client address still logs in while one is limited."""
    settings.LOGIN_RATE = "1/min"
    user = UserFactory()
    client.post("/accounts/login/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    limited = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD},
                          REMOTE_ADDR="10.0.0.1")
    other = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD},
                        REMOTE_ADDR="10.0.0.2")
    assert (limited.status_code, other.status_code) == (429, 302)


def test_signup_is_limited_like_login(client, settings):
    """Account creation shares the per-address limit, so it cannot be used to hammer the site."""
    settings.LOGIN_RATE = "1/min"
    client.post("/accounts/signup/", {"username": "x"})
    assert client.post("/accounts/signup/", {"username": "y"}).status_code == 429


def test_anonymous_api_calls_past_the_limit_get_429(client, settings):
    """An anonymous API client past its rate gets 429 with a Retry-After header."""
    settings.API_THROTTLE_RATES = {"anon": "2/min", "user": "100/min"}
    assert [client.get("/api/v1/categories/").status_code for _ in range(3)] == [200, 200, 429]
    assert int(client.get("/api/v1/categories/")["Retry-After"]) <= 60


def test_signed_in_api_clients_are_limited_per_user(client, settings):
    """A signed-in client has its own, separate budget."""
    settings.API_THROTTLE_RATES = {"anon": "1/min", "user": "3/min"}
    client.force_login(UserFactory())
    assert [client.get("/api/v1/categories/").status_code for _ in range(4)] == [200, 200, 200, 429]
