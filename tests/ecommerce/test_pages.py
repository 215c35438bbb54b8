"""The storefront shell: home, accounts, error pages, operations endpoints."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from tests.factories.users import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_home_page_renders_with_header_search_and_account_links(client):
    """The home page answers 200 with the search box and log-in/sign-up links for a visitor."""
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="q"' in body
    assert "/accounts/login/" in body
    assert "/accounts/signup/" in body


def test_signup_creates_account_and_signs_in(client):
    """A visitor signs up with a strong password and lands signed in on the page they came from."""
    response = client.post(
        "/accounts/signup/",
        {"username": "alice", "email": "alice@example.com", "password1": PASSWORD, "password2": PASSWORD,
         "next": "/healthz"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/healthz"
    assert get_user_model().objects.filter(username="alice").count() == 1
    assert client.get("/").context["user"].username == "alice"


def test_signup_refuses_a_weak_password_with_a_form_error(client):
    """Django's password validators apply: a common password is refused and no account is made."""
    response = client.post(
        "/accounts/signup/", {"username": "bob", "email": "bob@example.com", "password1": "password",
                              "password2": "password"}
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert get_user_model().objects.filter(username="bob").count() == 0


def test_signup_ignores_an_offsite_next_url(client):
    """An open redirect through ?next= to another host is not followed."""
    response = client.post(
        "/accounts/signup/",
        {"username": "carol", "email": "c@example.com", "password1": PASSWORD, "password2": PASSWORD,
         "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_login_and_logout(client):
    """A shopper logs in with username and password and logs out with a POST."""
    user = UserFactory()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"] == user
    client.post("/accounts/logout/")
    assert client.get("/").context["user"].is_authenticated is False


def test_admin_login_page_is_served(client):
    """Staff reach the admin login at /admin/."""
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert "Log in" in response.content.decode()


def test_unknown_page_is_a_friendly_404(client, settings):
    """A missing page shows the shop's own 404 page, not Django's debug page."""
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_every_response_carries_a_request_id(client):
    """A request id is made for each request, or kept from a proxy's X-Request-ID."""
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"


def test_healthz_is_ok(client):
    """/healthz answers 200 while the process is up."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_is_ok_when_database_and_cache_answer(client):
    """/readyz answers 200 and lists each check as ok."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["cache"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_readyz_names_the_database_when_it_is_unreachable(client, monkeypatch):
    """With the database out of reach, /readyz answers 503 and names the database as failing."""
    db = connections.settings["default"]
    if db["ENGINE"].endswith("postgresql"):
        monkeypatch.setitem(db, "PORT", "1")
    else:
        monkeypatch.setitem(db, "NAME", "/nonexistent-dir/shop.sqlite3")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert response.json()["checks"]["database"].startswith("error: OperationalError")


def test_metrics_exposes_request_counts_and_outbox_health(client):
    """/metrics speaks Prometheus: request counters by route plus outbox backlog and dead letters."""
    client.get("/healthz")
    body = client.get("/metrics").content.decode()
    assert 'http_requests_total{method="GET",route="healthz",status="200"}' in body
    assert "events_outbox_backlog 0.0" in body
    assert "events_dead_letters 0.0" in body
