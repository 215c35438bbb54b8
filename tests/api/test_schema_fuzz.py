"""Schemathesis fuzzes every operation of /api/schema/, anonymously and as a signed-in shopper.

No response may be a 5xx, and every response must match the schema (content type and body).
"""

import base64

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from ecommerce.wsgi import application
from tests.factories.catalog import ProductFactory, VariantFactory
from tests.factories.users import PASSWORD, UserFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
FUZZ = settings(
    max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def _keep_the_test_transactions_connection():
    """Schemathesis calls the WSGI app directly; like Django's test client, keep the app from closing
    the connection that holds the test's transaction at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def catalog_data(db):
    """A few real products so that lookups by slug and SKU sometimes hit."""
    for _ in range(3):
        VariantFactory(product=ProductFactory())


@pytest.fixture
def shopper_auth(db):
    user = UserFactory(username="fuzzer")
    token = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_api_as_anonymous_visitor(case, catalog_data):
    """Anonymous calls never fail with a 5xx and always match the published schema."""
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_api_as_signed_in_shopper(case, catalog_data, shopper_auth):
    """A signed-in shopper's calls never fail with a 5xx and always match the published schema."""
    case.call_and_validate(headers=shopper_auth, checks=CHECKS)
