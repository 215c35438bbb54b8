"""Probes for load balancers and orchestrators: /healthz (process up) and /readyz (dependencies)."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

PROBE_TIMEOUT_SECONDS = 2


@never_cache
def healthz(request):
    """200 while the process can answer at all."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """200 when the database, the cache and (when configured) the broker answer; else 503 naming the failing parts."""
    checks = {"database": _check_database(), "cache": _check_cache()}
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _check_broker()
    failing = sorted(name for name, result in checks.items() if result != "ok")
    body = {"status": "ok" if not failing else "unavailable", "failing": failing, "checks": checks}
    return JsonResponse(body, status=503 if failing else 200)


def _check_database() -> str:
    # A fresh connection, not the worker's persistent one: readiness asks whether new work could connect.
    connection = connections.create_connection("default")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError as exc:
        return f"error: {exc.__class__.__name__}: {str(exc).strip()[:200]}"
    finally:
        connection.close()


def _check_cache() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        if cache.get(key) != "1":
            return "error: value written to the cache could not be read back"
        cache.delete(key)
        return "ok"
    except (RedisError, OSError) as exc:
        return f"error: {exc.__class__.__name__}: {exc}"


def _check_broker() -> str:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=PROBE_TIMEOUT_SECONDS) as connection:
            connection.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)
        return "ok"
    except (BrokerError, OSError) as exc:
        return f"error: {exc.__class__.__name__}: {exc}"
