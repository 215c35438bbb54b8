"""Suite-wide fixtures: services that some tests need, and a clean cache and media root per test.

A test that needs PostgreSQL, Redis or S3 is marked `postgres`, `redis` or `s3`. Without the
service it skips with a reason naming it, except in CI (CI=true), where it fails instead: CI must
never pass by skipping.
"""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from ecommerce import page_cache
from ecommerce.celery import app as celery_app

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def _missing_service(marker: str) -> str | None:
    """Why a test marked `marker` cannot run here, or None when it can."""
    if marker == "postgres":
        if connection.vendor != "postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    elif marker == "redis":
        if not settings.REDIS_URL:
            return "needs Redis: set REDIS_URL=redis://..."
        if not _reachable(settings.REDIS_URL, 6379):
            return f"needs Redis: nothing answers at {settings.REDIS_URL}"
    elif marker == "s3":
        endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "")
        if not endpoint:
            return "needs S3: set AWS_S3_ENDPOINT_URL (moto_server in CI)"
        if not _reachable(endpoint, 443):
            return f"needs S3: nothing answers at {endpoint}"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "s3"):
        if item.get_closest_marker(marker):
            reason = _missing_service(marker)
            if reason:
                if IN_CI:
                    pytest.fail(f"{reason} (CI must run this test, not skip it)", pytrace=False)
                pytest.skip(reason)


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return [f"database backend: {db['ENGINE']} ({db.get('HOST') or db['NAME']}); cache: {cache_backend}"]


@pytest.fixture(autouse=True)
def _isolated_cache_media_and_eager_celery(settings, tmp_path):
    """Each test starts with an empty cache, its own media root and Celery running tasks in-process."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Real hashing costs about a second per password; tests check behaviour, not key stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    page_cache.clear_local_copies()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager
    cache.clear()
    page_cache.clear_local_copies()
